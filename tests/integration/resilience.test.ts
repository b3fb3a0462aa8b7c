import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, pgTargetOf, sqliteFileOf } from '../../server/db/client.ts';
import type { ProgressEvent, RunSnapshot } from '../../server/runs/interfaces.ts';
import { ProgressWriter } from '../../server/runs/progress-writer.ts';
import { migrateDatabase } from '../../server/db/migrate.ts';
import { createTestDatabase, providers } from '../support/databases.ts';
import { followRun } from '../support/subscribe.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { trackedEvents } from '../support/tracked.ts';
import { waitFor } from '../support/wait.ts';

type Caller = ReturnType<TestServer['caller']>;

async function timeline(caller: Caller, runId: string) {
  const events = [];
  for await (const { data } of trackedEvents(await caller.analysis.progress({ runId, lastEventId: '0' }))) {
    events.push(data);
  }
  return events;
}

/** Makes the event table unreachable for a while, as a failover or a long lock would. */
async function withEventsTableGone(url: string, provider: string, ms: number): Promise<void> {
  const rename = async (from: string, to: string) => {
    if (provider === 'sqlite') {
      const db = new Sqlite(sqliteFileOf(url), { timeout: 5000 });
      try {
        db.exec(`ALTER TABLE "${from}" RENAME TO "${to}"`);
      } finally {
        db.close();
      }
      return;
    }
    const target = pgTargetOf(url);
    const client = new pg.Client({ connectionString: target.connectionString });
    await client.connect();
    try {
      await client.query(`ALTER TABLE "${target.schema}"."${from}" RENAME TO "${to}"`);
    } finally {
      await client.end();
    }
  };
  await rename('analysis_run_events', 'analysis_run_events_away');
  await new Promise((resolve) => setTimeout(resolve, ms));
  await rename('analysis_run_events_away', 'analysis_run_events');
}

describe.each(providers)('resilience (%s)', (provider) => {
  let server: TestServer;
  let caller: Caller;
  beforeAll(async () => {
    server = await startTestServer(provider, { env: { STALL_TIMEOUT_MS: '60000' } });
    caller = server.caller();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('an error thrown in an idle worker thread does not take the server down', async () => {
    const client = server.client();
    const stray = await client.analysis.start.mutate({ kind: 'stray-error-worker', input: { afterMs: 50 } });
    await followRun(client, stray.id).done;
    expect((await client.analysis.get.query({ runId: stray.id })).status).toBe('completed');
    await new Promise((resolve) => setTimeout(resolve, 300)); // the stray timer fires in the idle thread

    const next = await client.analysis.start.mutate({ kind: 'busy-worker', input: { milliseconds: 20 } });
    await followRun(client, next.id).done;
    expect((await client.analysis.get.query({ runId: next.id })).status).toBe('completed');
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('NUL characters in what an analysis reports are dropped, not fatal', async () => {
    const run = await caller.analysis.start({ kind: 'nul-text', input: {} });
    const final = await waitFor(async () => {
      const current = await caller.analysis.get({ runId: run.id });
      return current.status === 'running' || current.status === 'queued' ? undefined : current;
    });
    expect(final.status).toBe('completed');
    expect(final.result).toEqual({ text: 'resulttext', key: 1 });
    const messages = (await timeline(caller, run.id)).map((event) => event.run.message);
    expect(messages).toContain('stagemessage');
    expect(messages).toContain('logline');
    expect(messages.some((message) => message?.includes('\u0000'))).toBe(false);
  });

  it('NUL characters in input, reasons and keys are BAD_REQUEST', async () => {
    await expect(
      caller.analysis.start({ kind: 'scripted-steps', input: { steps: 0, label: 'a\u0000b' } }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(
      caller.analysis.start({ kind: 'scripted-steps', input: { steps: 0 }, idempotencyKey: 'k\u0000' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const run = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 0 } });
    await expect(caller.analysis.cancel({ runId: run.id, reason: 'why\u0000' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('a database that is unreachable for a moment delays a run, it does not fail it', async () => {
    const run = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 4, stepMs: 120 } });
    await waitFor(async () => (await caller.analysis.get({ runId: run.id })).stage?.key === 'compute', {
      what: 'the run to reach its second stage',
    });
    await withEventsTableGone(server.database.url, provider, 4000);
    const final = await waitFor(async () => {
      const current = await caller.analysis.get({ runId: run.id });
      return current.status === 'running' ? undefined : current;
    });
    expect(final.status).toBe('completed');
    const events = await timeline(caller, run.id);
    expect(events.map((event) => event.seq)).toEqual(events.map((_event, index) => index + 1));
    expect(events.at(-1)?.type).toBe('completed');
    // no stage change was dropped on the way
    expect(events.filter((event) => event.type === 'stage').map((event) => event.run.stage?.key)).toEqual([
      'load',
      'compute',
      'write',
    ]);
    expect(server.logs.some((line) => line.includes('will retry') || line.includes('try 1'))).toBe(true);
  });

  it('a flood of log lines is rate-limited like progress, and other runs still cancel', async () => {
    const deaf = await caller.analysis.start({ kind: 'wait-forever', input: { ignoreSignal: true } });
    const flood = await caller.analysis.start({ kind: 'log-flood', input: { lines: 20_000 } });
    await waitFor(async () => (await caller.analysis.get({ runId: deaf.id })).status === 'running');
    expect((await caller.analysis.cancel({ runId: deaf.id })).outcome).toBe('cancelling');
    await waitFor(async () => (await caller.analysis.get({ runId: deaf.id })).status === 'cancelled', {
      what: 'the deaf run to be cancelled',
    });
    await waitFor(async () => (await caller.analysis.get({ runId: flood.id })).status === 'completed', {
      what: 'the flood to complete',
    });
    const events = await timeline(caller, flood.id);
    const logs = events.filter((event) => event.type === 'log');
    expect(events.length).toBeLessThan(2000);
    expect(logs.some((event) => /\(\+\d+ earlier lines\)$/.test(event.run.message ?? ''))).toBe(true);
  });
});

describe('ProgressWriter', () => {
  it('keeps events readable while a transition writes them', async () => {
    const database = await createTestDatabase('sqlite');
    await migrateDatabase(database.url, { log: () => {} });
    const opened = await openDatabase(database.url);
    try {
      const writer = new ProgressWriter(
        opened,
        60_000,
        () => {},
        () => {},
      );
      const key = { runId: 'r', attempt: 1, workerId: 'w' };
      const event = (seq: number): ProgressEvent => ({
        type: 'progress',
        runId: 'r',
        seq,
        at: new Date(),
        run: { seq } as RunSnapshot,
      });
      writer.enqueue(key, { event: event(4), patch: {} });
      writer.enqueue(key, { event: event(5), patch: {} });
      const taken = await writer.take('r');
      expect(taken).toHaveLength(2);
      // a subscriber resuming now must still find 4 and 5 somewhere
      expect(writer.unstoredEvents('r').map((e) => e.seq)).toEqual([4, 5]);
      writer.settle('r');
      expect(writer.unstoredEvents('r')).toEqual([]);

      writer.enqueue(key, { event: event(7), patch: {} });
      const again = await writer.take('r');
      writer.restore(key, again); // the transition failed: back in line, before anything newer
      writer.enqueue(key, { event: event(8), patch: {} });
      expect(writer.unstoredEvents('r').map((e) => e.seq)).toEqual([7, 8]);
    } finally {
      await opened.close();
      await database.drop();
    }
  });
});
