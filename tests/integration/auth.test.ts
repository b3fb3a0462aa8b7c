import { randomUUID } from 'node:crypto';
import { TRPCClientError } from '@trpc/client';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { isTerminal } from '../../shared/run.ts';
import { loadConfig } from '../../server/config.ts';
import { unauthorizedCloseCode } from '../../server/http/http-server.ts';
import { providers } from '../support/databases.ts';
import { startTestServer, testTokens, type TestRouter, type TestServer } from '../support/test-server.ts';
import { rejection, sleep } from '../support/runs.ts';
import { trackedEvents } from '../support/tracked.ts';

type Client = ReturnType<TestServer['client']>;
type Caller = ReturnType<TestServer['caller']>;
type ClientError = TRPCClientError<TestRouter>;

async function clientError(promise: Promise<unknown>): Promise<ClientError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(TRPCClientError);
  return error as ClientError;
}

async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function waitForTerminal(caller: Caller, runId: string) {
  await waitUntil(async () => isTerminal((await caller.analysis.get({ runId })).status), `run ${runId} to finish`);
  return caller.analysis.get({ runId });
}

interface SubscriptionOutcome {
  events: Array<{ type: string; seq: number; status: string }>;
  error: ClientError | null;
  completed: boolean;
  /** connection states the client went through, with their error messages */
  states: string[];
}

/** Subscribes to `progress` over WebSocket until it errors or completes (or the deadline passes). */
async function subscribe(
  client: Client,
  runId: string,
  timeoutMs = 20_000,
): Promise<SubscriptionOutcome & { timedOut: boolean }> {
  const outcome: SubscriptionOutcome = { events: [], error: null, completed: false, states: [] };
  let finish: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (finish = resolve));
  const subscription = client.analysis.progress.subscribe(
    { runId },
    {
      onData: ({ data }) => outcome.events.push({ type: data.type, seq: data.seq, status: data.run.status }),
      onError: (error) => {
        outcome.error = error;
        finish();
      },
      onComplete: () => {
        outcome.completed = true;
        finish();
      },
      onConnectionStateChange: (state) =>
        outcome.states.push(`${state.state}${state.error ? `: ${state.error.message}` : ''}`),
    },
  );
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    ended.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
  ]);
  clearTimeout(timer);
  subscription.unsubscribe();
  return { ...outcome, timedOut };
}

interface RawWsOutcome {
  messages: unknown[];
  closed: boolean;
  closeCode: number | null;
  opened: boolean;
}

/**
 * A raw `ws` connection: sends `frames` once open and records every message
 * until the server closes it, `done` says it has seen enough (the client then
 * closes), or the deadline passes.
 */
async function rawWs(
  url: string,
  frames: readonly unknown[],
  done: (messages: readonly unknown[]) => boolean = () => false,
  timeoutMs = 20_000,
): Promise<RawWsOutcome> {
  const ws = new WebSocket(url);
  const outcome: RawWsOutcome = { messages: [], closed: false, closeCode: null, opened: false };
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, timeoutMs);
    ws.on('open', () => {
      outcome.opened = true;
      for (const frame of frames) ws.send(JSON.stringify(frame));
    });
    ws.on('message', (data: WebSocket.RawData) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      outcome.messages.push(JSON.parse(text) as unknown);
      if (done(outcome.messages)) ws.close();
    });
    ws.on('error', () => undefined);
    ws.on('close', (code: number) => {
      outcome.closed = true;
      outcome.closeCode = code;
      clearTimeout(timer);
      resolve();
    });
  });
  return outcome;
}

describe.each(providers)('authentication and isolation (%s)', (provider) => {
  let server: TestServer;
  let wsUrl: string;

  beforeAll(async () => {
    server = await startTestServer(provider);
    wsUrl = `${server.url.replace(/^http/, 'ws')}/trpc`;
  });

  afterAll(async () => {
    await server?.close();
  });

  it('HTTP: a bad or missing token is UNAUTHORIZED on every procedure, and leaks nothing', async () => {
    const alice = server.caller('alice');
    const run = await alice.analysis.start({ kind: 'scripted-steps', input: { steps: 0 } });
    await waitForTerminal(alice, run.id);

    for (const token of ['wrong', '', `${testTokens.alice}x`, testTokens.alice.slice(0, -1)]) {
      const client = server.client(token);
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['start', () => client.analysis.start.mutate({ kind: 'scripted-steps', input: { steps: 0 } })],
        ['get', () => client.analysis.get.query({ runId: run.id })],
        ['get unknown', () => client.analysis.get.query({ runId: randomUUID() })],
        ['history', () => client.analysis.history.query()],
        ['cancel', () => client.analysis.cancel.mutate({ runId: run.id })],
      ];
      for (const [name, call] of calls) {
        const error = await clientError(call());
        expect({ token, name, code: error.data?.code, status: error.data?.httpStatus }).toEqual({
          token,
          name,
          code: 'UNAUTHORIZED',
          status: 401,
        });
      }
    }
    // nothing was started by the rejected calls
    expect((await alice.analysis.history({ limit: 100 })).items.map((item) => item.id)).toEqual([run.id]);

    // raw HTTP: no header, a malformed header and a wrong scheme answer 401
    const headerSets: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer' },
      { authorization: `Basic ${testTokens.alice}` },
      { authorization: 'Bearer wrong' },
    ];
    for (const headers of headerSets) {
      const response = await fetch(`${server.url}/trpc/analysis.history`, { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { json: { data: { code: 'UNAUTHORIZED' } } } });
    }
    // the right token works (the negative cases are not failing for another reason)
    const ok = await fetch(`${server.url}/trpc/analysis.history`, {
      headers: { authorization: `Bearer ${testTokens.alice}` },
    });
    expect(ok.status).toBe(200);
    expect((await server.client(testTokens.alice).analysis.get.query({ runId: run.id })).status).toBe('completed');

    // the caller applies the same rule to a context without a user
    await expect(server.caller(null).analysis.history()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(server.caller(null).analysis.get({ runId: run.id })).rejects.toBeInstanceOf(TRPCError);
  });

  it('WebSocket through the client: a bad or missing token ends the subscription with UNAUTHORIZED and no event', async () => {
    const alice = server.caller('alice');
    const run = await alice.analysis.start({ kind: 'wait-forever', input: {} });
    try {
      for (const token of ['wrong', '']) {
        const outcome = await subscribe(server.client(token), run.id);
        expect(outcome.timedOut).toBe(false);
        expect(outcome.events).toEqual([]);
        expect(outcome.error).toBeInstanceOf(TRPCClientError);
        const error = outcome.error!;
        expect({ code: error.data?.code, message: error.message }).toEqual({
          code: 'UNAUTHORIZED',
          message: 'missing or invalid token',
        });
      }
      // the run was not touched
      const stored = await alice.analysis.get({ runId: run.id });
      expect(stored.status).not.toBe('cancelled');
      expect(stored.cancelRequested).toBe(false);
    } finally {
      await alice.analysis.cancel({ runId: run.id });
      await waitForTerminal(alice, run.id);
    }
    // positive control: the right token follows a run to its end
    const done = await alice.analysis.start({ kind: 'scripted-steps', input: { steps: 1, stepMs: 1 } });
    const outcome = await subscribe(server.client(testTokens.alice), done.id);
    expect(outcome.error).toBeNull();
    expect(outcome.completed).toBe(true);
    expect(outcome.events.at(-1)).toMatchObject({ status: 'completed' });
    expect(['completed', 'snapshot']).toContain(outcome.events.at(-1)?.type);
  });

  it('WebSocket raw: a wrong token gets UNAUTHORIZED for each request, then the socket is closed (4401)', async () => {
    // a socket that sends no request is closed after a short grace, with the close code saying why
    const wrong = await rawWs(`${wsUrl}?connectionParams=1`, [
      { method: 'connectionParams', data: { token: 'wrong' } },
    ]);
    expect(wrong.opened).toBe(true);
    expect(wrong.closed).toBe(true);
    expect(wrong.closeCode).toBe(unauthorizedCloseCode);
    expect(wrong.messages).toEqual([]);

    // no connectionParams at all: the context is made at once, without a token
    const none = await rawWs(wsUrl, []);
    expect(none.closed).toBe(true);
    expect(none.closeCode).toBe(unauthorizedCloseCode);
    expect(none.messages).toEqual([]);

    // a subscription sent with the wrong token gets no data: only errors, then the close
    const run = await server.caller('alice').analysis.start({ kind: 'scripted-steps', input: { steps: 0 } });
    const withRequest = await rawWs(`${wsUrl}?connectionParams=1`, [
      { method: 'connectionParams', data: { token: 'wrong' } },
      { id: 1, method: 'subscription', params: { path: 'analysis.progress', input: { json: { runId: run.id } } } },
    ]);
    expect(withRequest.closed).toBe(true);
    expect(withRequest.closeCode).toBe(unauthorizedCloseCode);
    expect(withRequest.messages.length).toBeGreaterThanOrEqual(1);
    for (const message of withRequest.messages) {
      expect(message).toMatchObject({ error: { json: { data: { code: 'UNAUTHORIZED' } } } });
      expect(message).not.toHaveProperty('result');
    }

    // positive control: the right token gets the run's events over the same raw protocol
    const resultOf = (message: unknown): { type?: unknown; id?: unknown } | null =>
      typeof message === 'object' && message !== null && 'result' in message && typeof message.result === 'object'
        ? message.result
        : null;
    const stopped = (message: unknown) => resultOf(message)?.type === 'stopped';
    const good = await rawWs(
      `${wsUrl}?connectionParams=1`,
      [
        { method: 'connectionParams', data: { token: testTokens.alice } },
        { id: 1, method: 'subscription', params: { path: 'analysis.progress', input: { json: { runId: run.id } } } },
      ],
      (messages) => messages.some(stopped),
    );
    const data = good.messages.map(resultOf).filter((result) => result?.type === 'data');
    expect(data.length).toBeGreaterThan(0);
    expect(data.every((result) => typeof result?.id === 'string')).toBe(true);
    expect(good.messages.some(stopped)).toBe(true);
    expect(good.messages.some((message) => typeof message === 'object' && message !== null && 'error' in message)).toBe(
      false,
    );

    // an upgrade on another path is refused
    const elsewhere = await rawWs(`${server.url.replace(/^http/, 'ws')}/not-trpc`, []);
    expect(elsewhere.opened).toBe(false);
  });

  it("isolation: another user's run answers NOT_FOUND exactly like an unknown id", async () => {
    const alice = server.caller('alice');
    const bob = server.caller('bob');
    const aliceRun = await alice.analysis.start({ kind: 'wait-forever', input: {} });
    const unknown = randomUUID();
    const normalise = (error: unknown, id: string) => {
      expect(error).toBeInstanceOf(TRPCError);
      const { code, message } = error as TRPCError;
      return { code, message: message.replaceAll(id, '<id>') };
    };
    const drain = async (caller: Caller, runId: string) => {
      for await (const item of trackedEvents(await caller.analysis.progress({ runId }))) void item;
    };
    try {
      // through the caller
      const cases: Array<[string, (runId: string) => Promise<unknown>]> = [
        ['get', (runId) => bob.analysis.get({ runId })],
        ['cancel', (runId) => bob.analysis.cancel({ runId, reason: 'not mine' })],
        ['progress', (runId) => drain(bob, runId)],
      ];
      for (const [name, call] of cases) {
        const forAlices = normalise(await rejection(call(aliceRun.id)), aliceRun.id);
        const forUnknown = normalise(await rejection(call(unknown)), unknown);
        expect({ name, ...forAlices }).toEqual({ name, ...forUnknown });
        expect(forAlices.code).toBe('NOT_FOUND');
        expect(forAlices.message).toBe('run <id> not found');
      }

      // over HTTP and WebSocket with bob's token
      const bobClient = server.client(testTokens.bob);
      const shape = (error: ClientError, id: string) => ({
        code: error.data?.code,
        httpStatus: error.data?.httpStatus,
        message: error.message.replaceAll(id, '<id>'),
      });
      const remote: Array<[string, (runId: string) => Promise<ClientError>]> = [
        ['get', (runId) => clientError(bobClient.analysis.get.query({ runId }))],
        ['cancel', (runId) => clientError(bobClient.analysis.cancel.mutate({ runId }))],
        [
          'progress',
          async (runId) => {
            const outcome = await subscribe(bobClient, runId);
            expect(outcome.events).toEqual([]);
            expect(outcome.error).toBeInstanceOf(TRPCClientError);
            return outcome.error!;
          },
        ],
      ];
      for (const [name, call] of remote) {
        const forAlices = shape(await call(aliceRun.id), aliceRun.id);
        const forUnknown = shape(await call(unknown), unknown);
        expect({ name, ...forAlices }).toEqual({ name, ...forUnknown });
        expect(forAlices).toEqual({ code: 'NOT_FOUND', httpStatus: 404, message: 'run <id> not found' });
      }

      // bob's attempts changed nothing: alice's run is still going and not cancelled
      const stored = await alice.analysis.get({ runId: aliceRun.id });
      expect(stored.cancelRequested).toBe(false);
      expect(['queued', 'running']).toContain(stored.status);

      // histories are per user
      const bobRun = await bob.analysis.start({ kind: 'scripted-steps', input: { steps: 0 } });
      await waitForTerminal(bob, bobRun.id);
      const bobIds = (await bob.analysis.history({ limit: 100 })).items.map((run) => run.id);
      expect(bobIds).toContain(bobRun.id);
      expect(bobIds).not.toContain(aliceRun.id);
      const bobHttpIds = (await bobClient.analysis.history.query({ limit: 100 })).items.map((run) => run.id);
      expect(bobHttpIds).toEqual(bobIds);
      const aliceIds = (await alice.analysis.history({ limit: 100 })).items.map((run) => run.id);
      expect(aliceIds).toContain(aliceRun.id);
      expect(aliceIds).not.toContain(bobRun.id);
      // an idempotency key of alice's does not reach her run either
      const keyed = await alice.analysis.start({
        kind: 'scripted-steps',
        input: { steps: 0 },
        idempotencyKey: 'shared-key',
      });
      const bobKeyed = await bob.analysis.start({
        kind: 'scripted-steps',
        input: { steps: 0 },
        idempotencyKey: 'shared-key',
      });
      expect(bobKeyed.id).not.toBe(keyed.id);
      await waitForTerminal(alice, keyed.id);
      await waitForTerminal(bob, bobKeyed.id);
    } finally {
      await alice.analysis.cancel({ runId: aliceRun.id });
      await waitForTerminal(alice, aliceRun.id);
    }
  });

  it('GET /healthz reports ok and the provider', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body: unknown = await response.json();
    expect(body).toMatchObject({ status: 'ok', database: provider });
    // no token needed, and none is used
    const withBadToken = await fetch(`${server.url}/healthz`, { headers: { authorization: 'Bearer wrong' } });
    expect(withBadToken.status).toBe(200);
  });

  it('single-user mode (API_TOKENS empty): no token needed, runs belong to `local`', async () => {
    const single = await startTestServer(provider, { env: { API_TOKENS: '' } });
    try {
      expect(single.app.config.tokens).toBeNull();
      const client = single.client('');
      const run = await client.analysis.start.mutate({ kind: 'scripted-steps', input: { steps: 1, stepMs: 1 } });
      const outcome = await subscribe(client, run.id);
      expect(outcome.error).toBeNull();
      expect(outcome.completed).toBe(true);
      expect(outcome.events.at(-1)).toMatchObject({ status: 'completed' });
      expect(outcome.events.every((event) => event.seq > 0)).toBe(true);
      expect((await client.analysis.get.query({ runId: run.id })).status).toBe('completed');
      expect((await client.analysis.history.query()).items.map((item) => item.id)).toEqual([run.id]);
      expect((await single.caller('local').analysis.get({ runId: run.id })).id).toBe(run.id);
      await expect(single.caller('alice').analysis.get({ runId: run.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const health = await fetch(`${single.url}/healthz`);
      expect(await health.json()).toMatchObject({ status: 'ok', database: provider });
    } finally {
      await single.close();
    }
  });
});

describe('configuration: single-user mode only on loopback', () => {
  it('without API_TOKENS a loopback HOST gives single-user mode', () => {
    for (const HOST of ['127.0.0.1', 'localhost', '::1', '127.1.2.3']) {
      const config = loadConfig({ HOST });
      expect(config.tokens).toBeNull();
      expect(config.host).toBe(HOST);
    }
    expect(loadConfig({}).tokens).toBeNull();
    expect(loadConfig({ HOST: '127.0.0.1', API_TOKENS: '' }).tokens).toBeNull();
    expect(loadConfig({ HOST: '127.0.0.1', API_TOKENS: '   ' }).tokens).toBeNull();
  });

  it('without API_TOKENS a non-loopback HOST refuses to start', () => {
    for (const HOST of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
      expect(() => loadConfig({ HOST })).toThrow(/refusing to serve/);
      expect(() => loadConfig({ HOST, API_TOKENS: '' })).toThrow(/refusing to serve/);
    }
  });

  it('with API_TOKENS any HOST works and tokens map to users', () => {
    const config = loadConfig({ HOST: '0.0.0.0', API_TOKENS: 'alice:a-token, bob:b-token' });
    expect(config.tokens).toEqual(
      new Map([
        ['a-token', 'alice'],
        ['b-token', 'bob'],
      ]),
    );
    expect(() => loadConfig({ API_TOKENS: 'no-colon' })).toThrow(/API_TOKENS/);
    expect(() => loadConfig({ API_TOKENS: 'alice:same,bob:same' })).toThrow(/listed twice/);
  });
});
