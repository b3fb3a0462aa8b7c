import { TRPCClientError } from '@trpc/client';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { ZodError } from 'zod';
import { isTerminal } from '../../shared/run.ts';
import { providers } from '../support/databases.ts';
import { startTestServer, type TestRouter, type TestServer } from '../support/test-server.ts';
import { rejection, sleep } from '../support/runs.ts';
import { trackedEvents } from '../support/tracked.ts';

type Caller = ReturnType<TestServer['caller']>;
type StartInput = Parameters<Caller['analysis']['start']>[0];
type RunDetails = Awaited<ReturnType<Caller['analysis']['get']>>;
type Snapshot = Awaited<ReturnType<Caller['analysis']['start']>>;

/**
 * Polls `get` until `until` holds (generous deadline, no fixed waits), then
 * reads once more and returns that read. The extra read starts after the
 * state was observed, so its stage timeline is not older than its snapshot:
 * a single `get` can mix the two (see the "stage timeline" test below).
 */
async function waitForRun(
  caller: Caller,
  runId: string,
  until: (run: RunDetails) => boolean = (run) => isTerminal(run.status),
  timeoutMs = 30_000,
): Promise<RunDetails> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await caller.analysis.get({ runId });
    if (until(run)) break;
    if (Date.now() > deadline) throw new Error(`run ${runId}: condition not reached (last status ${run.status})`);
    await sleep(20);
  }
  const settled = await caller.analysis.get({ runId });
  expect(until(settled)).toBe(true);
  return settled;
}

/** What `get`'s stage timeline must say, given the snapshot it comes with. */
function expectedStageStatuses(run: RunDetails): string[] {
  if (run.status === 'completed') return run.stages.map(() => 'completed');
  const current = run.stage?.index ?? -1;
  return run.stages.map((_, index) => (index < current ? 'completed' : index === current ? 'running' : 'pending'));
}

async function waitForAll(caller: Caller, runIds: readonly string[]): Promise<RunDetails[]> {
  const runs: RunDetails[] = [];
  for (const runId of runIds) runs.push(await waitForRun(caller, runId));
  return runs;
}

/** Every event of one `progress` subscription, until the server ends it. */
async function collect(caller: Caller, runId: string, lastEventId?: string) {
  const iterable = await caller.analysis.progress(lastEventId === undefined ? { runId } : { runId, lastEventId });
  const events = [];
  for await (const { id, data } of trackedEvents(iterable)) events.push({ id, event: data });
  return events;
}

type Collected = Awaited<ReturnType<typeof collect>>[number];

/** Every page of `history` for one filter. */
async function allPages(
  caller: Caller,
  filter: Omit<NonNullable<Parameters<Caller['analysis']['history']>[0]>, 'cursor'>,
) {
  const items: Snapshot[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const result: { items: Snapshot[]; nextCursor: string | null } = await caller.analysis.history({
      ...filter,
      cursor,
    });
    items.push(...result.items);
    cursor = result.nextCursor;
    if (cursor === null) return items;
  }
  throw new Error('history never ended');
}

/** A caller's BAD_REQUEST for invalid input: a TRPCError whose cause is the ZodError with its issues. */
async function expectBadInput(promise: Promise<unknown>): Promise<ZodError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(TRPCError);
  expect(error).toMatchObject({ code: 'BAD_REQUEST' });
  const cause = (error as TRPCError).cause;
  expect(cause).toBeInstanceOf(ZodError);
  const issues = (cause as ZodError).issues;
  expect(issues.length).toBeGreaterThan(0);
  return cause as ZodError;
}

/** Checks the per-event contract on one stream and returns it for more checks. */
function checkStream(runId: string, events: readonly Collected[]): void {
  expect(events.length).toBeGreaterThan(0);
  let lastSeq = -1;
  let lastProgress = -1;
  let lastStage = -1;
  for (const [index, { id, event }] of events.entries()) {
    expect(id).toBe(String(event.seq));
    expect(event.runId).toBe(runId);
    expect(event.run.id).toBe(runId);
    expect(event.run.kind).toBe('scripted-steps');
    expect(event.run.seq).toBe(event.seq);
    expect(event.at).toBeInstanceOf(Date);
    expect(event.seq).toBeGreaterThan(lastSeq);
    expect(event.run.progress).toBeGreaterThanOrEqual(lastProgress);
    const stageIndex = event.run.stage?.index ?? -1;
    expect(stageIndex).toBeGreaterThanOrEqual(lastStage);
    if (event.type === 'stage' && index > 0) expect(stageIndex).toBe(lastStage + 1);
    if (event.run.progress === 100) expect(event.run.status).toBe('completed');
    if (event.run.status !== 'completed') expect(event.run.result).toBeNull();
    const terminal = event.type === 'completed' || event.type === 'failed' || event.type === 'cancelled';
    expect(terminal || (event.type === 'snapshot' && isTerminal(event.run.status))).toBe(index === events.length - 1);
    lastSeq = event.seq;
    lastProgress = event.run.progress;
    lastStage = stageIndex;
  }
}

describe.each(providers)('analysis procedures through the caller (%s)', (provider) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(provider);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('kinds describes every registered kind: stages and the JSON Schema of its input', async () => {
    const kinds = await server.client().analysis.kinds.query();
    expect(kinds.map((kind) => kind.kind)).toContain('scripted-steps');
    const neuron = kinds.find((kind) => kind.kind === 'neuron-activation-stats');
    expect(neuron?.stages.map((stage) => stage.key)).toHaveLength(4);
    expect(neuron?.inputSchema).toMatchObject({
      type: 'object',
      properties: {
        layers: { type: 'integer', default: 6, minimum: 1, maximum: 64, description: expect.any(String) as string },
      },
    });
    const scripted = kinds.find((kind) => kind.kind === 'scripted-steps');
    expect(scripted?.stages).toEqual([
      { key: 'load', label: 'Load', weight: 1 },
      { key: 'compute', label: 'Compute', weight: 2 },
      { key: 'write', label: 'Write', weight: 1 },
    ]);
    await expect(server.client('wrong-token').analysis.kinds.query()).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED' },
    });
  });

  it('start applies input defaults; get adds stages; the result is typed per kind', async () => {
    const caller = server.caller('start-user');
    const started = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 2, label: 'typed' } });
    expect(['queued', 'running']).toContain(started.status);
    expect(started.kind).toBe('scripted-steps');
    expect(started.input).toEqual({ steps: 2, stepMs: 5, ignoreSignal: false, label: 'typed' });
    expect(started).toMatchObject({
      result: null,
      error: null,
      cancelRequested: false,
      cancelReason: null,
      finishedAt: null,
      attempt: 1,
    });
    expect(started.progress).toBeLessThan(100);
    expect(started.seq).toBeGreaterThanOrEqual(1);
    expect(started.createdAt).toBeInstanceOf(Date);

    const early = await caller.analysis.get({ runId: started.id });
    expect(early.id).toBe(started.id);
    expect(early.stages.map((stage) => [stage.key, stage.label])).toEqual([
      ['load', 'Load'],
      ['compute', 'Compute'],
      ['write', 'Write'],
    ]);

    const done = await waitForRun(caller, started.id);
    expect(done.status).toBe('completed');
    expect(done.progress).toBe(100);
    expect(done.error).toBeNull();
    expect(done.etaMs).toBeNull();
    expect(done.startedAt).toBeInstanceOf(Date);
    expect(done.finishedAt).toBeInstanceOf(Date);
    expect(done.startedAt!.getTime()).toBeGreaterThanOrEqual(done.createdAt.getTime());
    expect(done.finishedAt!.getTime()).toBeGreaterThanOrEqual(done.startedAt!.getTime());
    expect(done.stages).toHaveLength(3);
    for (const stage of done.stages) {
      expect(stage.status).toBe('completed');
      expect(stage.startedAt).toBeInstanceOf(Date);
      expect(stage.finishedAt).toBeInstanceOf(Date);
      expect(stage.finishedAt!.getTime()).toBeGreaterThanOrEqual(stage.startedAt!.getTime());
    }
    if (done.kind === 'scripted-steps') {
      expectTypeOf(done.input.steps).toEqualTypeOf<number>();
      expectTypeOf(done.result).toEqualTypeOf<{ steps: number; label: string } | null>();
      expect(done.result?.steps).toBe(6);
      expect(done.result?.label).toBe('typed');
    } else {
      expect.unreachable(`unexpected kind ${done.kind}`);
    }
  });

  it('progress: snapshot first, ordered events, ends after completed; finished runs and resumes', async () => {
    const caller = server.caller('progress-user');
    const run = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 4, stepMs: 15, label: 'p' } });
    const live = await collect(caller, run.id);

    expect(live[0]?.event.type).toBe('snapshot');
    checkStream(run.id, live);
    const last = live.at(-1)!.event;
    expect(last.type).toBe('completed');
    expect(last.run.status).toBe('completed');
    expect(last.run.progress).toBe(100);
    expect(last.run.error).toBeNull();
    expect(last.run.finishedAt).toBeInstanceOf(Date);
    if (last.run.kind === 'scripted-steps') expect(last.run.result).toEqual({ steps: 12, label: 'p' });
    else expect.unreachable('kind');
    // the final stage must have been announced: the last stage seen is `write` (index 2)
    expect(last.run.stage).toMatchObject({ key: 'write', index: 2, count: 3 });

    // a finished run: only the terminal snapshot, then the end
    const again = await collect(caller, run.id);
    expect(again).toHaveLength(1);
    expect(again[0]!.event.type).toBe('snapshot');
    expect(again[0]!.event.run.status).toBe('completed');
    expect(again[0]!.event.seq).toBe(last.seq);
    expect(again[0]!.id).toBe(String(last.seq));

    // lastEventId 0: the whole stored timeline, seq 1..N without a snapshot
    const full = await collect(caller, run.id, '0');
    expect(full.map(({ event }) => event.seq)).toEqual(Array.from({ length: last.seq }, (_, i) => i + 1));
    expect(full.some(({ event }) => event.type === 'snapshot')).toBe(false);
    expect(full[0]!.event.type).toBe('queued');
    expect(full.filter(({ event }) => event.type === 'stage')).toHaveLength(3);
    checkStream(run.id, full);

    // what was seen live equals what is replayed for the same seq
    const bySeq = new Map(full.map((item) => [item.event.seq, item.event]));
    for (const { event } of live.slice(1)) {
      const stored = bySeq.get(event.seq);
      expect(stored?.type).toBe(event.type);
      expect(stored?.run).toEqual(event.run);
    }

    // resuming from any point: exactly the events after it
    const resumePoints = [1, Math.floor(last.seq / 2), last.seq - 1];
    for (const after of resumePoints) {
      const resumed = await collect(caller, run.id, String(after));
      expect(resumed.map(({ event }) => event.seq)).toEqual(
        full.filter(({ event }) => event.seq > after).map(({ event }) => event.seq),
      );
      expect(resumed.map(({ event }) => event.type)).toEqual(
        full.filter(({ event }) => event.seq > after).map(({ event }) => event.type),
      );
      expect(resumed.at(-1)?.event.type).toBe('completed');
      for (const { id, event } of resumed) {
        expect(id).toBe(String(event.seq));
        expect(event.run.seq).toBe(event.seq);
      }
    }
    // resuming from the terminal event: nothing is left
    expect(await collect(caller, run.id, String(last.seq))).toEqual([]);
  });

  it('every event carries the full snapshot; progress 100 and result only on completion', async () => {
    const caller = server.caller('contract-user');
    const run = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 3, stepMs: 10 } });
    const events = await collect(caller, run.id);
    checkStream(run.id, events);
    const keys = Object.keys(run).sort();
    for (const { event } of events) {
      expect(Object.keys(event.run).sort()).toEqual(keys);
      expect(event.run.input).toEqual(run.input);
      expect(event.run.createdAt.getTime()).toBe(run.createdAt.getTime());
      if (event.type === 'completed') {
        expect(event.run.progress).toBe(100);
        expect(event.run.result).not.toBeNull();
      } else {
        expect(event.run.progress).toBeLessThan(100);
        expect(event.run.result).toBeNull();
        expect(event.run.finishedAt).toBeNull();
      }
      expect(event.run.error).toBeNull();
      expect(event.run.progress).toBeGreaterThanOrEqual(0);
    }
  });

  it('get: the stage timeline always agrees with the snapshot it comes with', async () => {
    // Readers poll while runs change stage quickly; every answer must be one moment's state:
    // with `stage.index` i and status running, stages before i completed, i running, after it pending.
    const caller = server.caller('timeline-user');
    const problems: string[] = [];
    let reads = 0;
    for (let attempt = 0; attempt < 10 && problems.length === 0; attempt++) {
      const run = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 2, stepMs: 2 } });
      let finished = false;
      const deadline = Date.now() + 30_000;
      const poll = async () => {
        while (!finished) {
          if (Date.now() > deadline) throw new Error(`run ${run.id} did not finish`);
          const got = await caller.analysis.get({ runId: run.id });
          reads++;
          const statuses = got.stages.map((stage) => stage.status);
          const expected = expectedStageStatuses(got);
          if (statuses.join() !== expected.join()) {
            problems.push(
              `seq ${got.seq} ${got.status} stage=${got.stage?.key ?? '-'}: stages [${statuses.join()}], expected [${expected.join()}]`,
            );
          }
          if (isTerminal(got.status)) finished = true;
          await new Promise((resolve) => setImmediate(resolve));
        }
      };
      await Promise.all([poll(), poll(), poll()]);
    }
    expect(reads).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('a failing analysis ends failed with its error code', async () => {
    const caller = server.caller('failing-user');
    const run = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 3, stepMs: 5, failAtStep: 4 } });
    const events = await collect(caller, run.id);
    checkStream(run.id, events);
    const last = events.at(-1)!.event;
    expect(last.type).toBe('failed');
    expect(last.run.status).toBe('failed');
    expect(last.run.error).toEqual({ code: 'SCRIPTED_FAILURE', message: 'failed at step 4' });
    expect(last.run.result).toBeNull();
    expect(last.run.progress).toBeLessThan(100);

    const stored = await caller.analysis.get({ runId: run.id });
    expect(stored.status).toBe('failed');
    expect(stored.error?.code).toBe('SCRIPTED_FAILURE');
    expect(stored.finishedAt).toBeInstanceOf(Date);
    expect(stored.stages.map((stage) => stage.status)).toEqual(['completed', 'failed', 'pending']);
    expect(stored.stages[1]?.finishedAt).toBeInstanceOf(Date);
  });

  it('cancel: queued → cancelled (never starts), running → cancelling → cancelled, finished → already-finished', async () => {
    const caller = server.caller('cancel-user');
    // fill both execution slots (MAX_CONCURRENCY 2) so the next run stays queued
    const blockers = [
      await caller.analysis.start({ kind: 'wait-forever', input: {} }),
      await caller.analysis.start({ kind: 'wait-forever', input: { ignoreSignal: true } }),
    ];
    for (const blocker of blockers) {
      const running = await waitForRun(
        caller,
        blocker.id,
        (run) => run.status === 'running' && run.stage?.key === 'wait',
      );
      expect(running.stages).toMatchObject([{ key: 'wait', label: 'Wait', status: 'running', finishedAt: null }]);
      expect(running.stages[0]?.startedAt).toBeInstanceOf(Date);
    }
    const queued = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 1 } });
    expect(queued.status).toBe('queued');
    const cancelledQueued = await caller.analysis.cancel({ runId: queued.id, reason: 'not needed' });
    expect(cancelledQueued.outcome).toBe('cancelled');
    expect(cancelledQueued.run).toMatchObject({
      id: queued.id,
      status: 'cancelled',
      cancelRequested: true,
      cancelReason: 'not needed',
      startedAt: null,
    });
    expect(cancelledQueued.run.finishedAt).toBeInstanceOf(Date);
    const again = await caller.analysis.cancel({ runId: queued.id, reason: 'again' });
    expect(again.outcome).toBe('already-finished');
    expect(again.run).toMatchObject({ status: 'cancelled', cancelReason: 'not needed', seq: cancelledQueued.run.seq });

    // a run that listens to its signal
    const [polite, deaf] = blockers as [Snapshot, Snapshot];
    const politeCancel = await caller.analysis.cancel({ runId: polite.id, reason: 'stop' });
    expect(politeCancel.outcome).toBe('cancelling');
    expect(politeCancel.run).toMatchObject({ status: 'running', cancelRequested: true, cancelReason: 'stop' });
    const politeDone = await waitForRun(caller, polite.id);
    expect(politeDone).toMatchObject({ status: 'cancelled', cancelReason: 'stop', result: null, error: null });
    expect(politeDone.stages.map((stage) => stage.status)).toEqual(['cancelled']);

    // a run that ignores its signal still ends cancelled (CANCEL_GRACE_MS is 500 in tests)
    const deafCancel = await caller.analysis.cancel({ runId: deaf.id });
    expect(deafCancel.outcome).toBe('cancelling');
    const repeated = await caller.analysis.cancel({ runId: deaf.id });
    expect(['cancelling', 'already-finished']).toContain(repeated.outcome);
    const deafDone = await waitForRun(caller, deaf.id);
    expect(deafDone.status).toBe('cancelled');
    expect(deafDone.cancelReason).toBeNull();

    // the queued run never started, even after the slots freed up
    const stillCancelled = await caller.analysis.get({ runId: queued.id });
    expect(stillCancelled).toMatchObject({ status: 'cancelled', startedAt: null, attempt: 1 });
    expect(stillCancelled.stages.map((stage) => stage.status)).toEqual(['pending', 'pending', 'pending']);

    // a completed run is left as it was
    const finished = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 0 } });
    const completed = await waitForRun(caller, finished.id);
    const late = await caller.analysis.cancel({ runId: finished.id, reason: 'too late' });
    expect(late.outcome).toBe('already-finished');
    expect(late.run).toMatchObject({
      status: 'completed',
      cancelRequested: false,
      cancelReason: null,
      seq: completed.seq,
    });
    expect(await caller.analysis.get({ runId: finished.id })).toEqual(completed);

    await expect(caller.analysis.cancel({ runId: 'no-such-run' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('history pages stably while runs are created, newest first, with filters and bounds', async () => {
    const caller = server.caller('history-user');
    const completed: string[] = [];
    const cancelledScripted: string[] = [];
    const cancelledWaiting: string[] = [];
    for (let i = 0; i < 40; i++) {
      completed.push((await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 0 } })).id);
    }
    for (let i = 0; i < 10; i++) {
      const run = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 10_000, stepMs: 1000 } });
      const { outcome } = await caller.analysis.cancel({ runId: run.id, reason: 'history test' });
      expect(['cancelled', 'cancelling']).toContain(outcome);
      cancelledScripted.push(run.id);
    }
    for (let i = 0; i < 6; i++) {
      const run = await caller.analysis.start({ kind: 'wait-forever', input: {} });
      const { outcome } = await caller.analysis.cancel({ runId: run.id });
      expect(['cancelled', 'cancelling']).toContain(outcome);
      cancelledWaiting.push(run.id);
    }
    const before = [...completed, ...cancelledScripted, ...cancelledWaiting];
    const finished = await waitForAll(caller, before);
    expect(
      finished
        .filter((run) => run.status === 'completed')
        .map((run) => run.id)
        .sort(),
    ).toEqual([...completed].sort());
    expect(finished.filter((run) => run.status === 'cancelled')).toHaveLength(16);

    // page with limit 10, starting new runs concurrently with and between the pages
    const seen: Snapshot[] = [];
    const createdWhilePaging: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    for (;;) {
      const [page, extra]: [{ items: Snapshot[]; nextCursor: string | null }, Snapshot] = await Promise.all([
        caller.analysis.history({ limit: 10, cursor }),
        caller.analysis.start({ kind: 'scripted-steps', input: { steps: 0 } }),
      ]);
      createdWhilePaging.push(extra.id);
      pages++;
      expect(page.items.length).toBeLessThanOrEqual(10);
      seen.push(...page.items);
      if (page.nextCursor === null) break;
      expect(page.items).toHaveLength(10);
      createdWhilePaging.push((await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 0 } })).id);
      cursor = page.nextCursor;
      expect(pages).toBeLessThan(20);
    }
    const ids = seen.map((run) => run.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of before) expect(ids.filter((seenId) => seenId === id)).toHaveLength(1);
    expect(ids.filter((id) => !before.includes(id)).every((id) => createdWhilePaging.includes(id))).toBe(true);
    for (let i = 1; i < seen.length; i++) {
      const previous = seen[i - 1]!;
      const current = seen[i]!;
      expect(current.createdAt.getTime()).toBeLessThanOrEqual(previous.createdAt.getTime());
      if (current.createdAt.getTime() === previous.createdAt.getTime()) expect(current.id < previous.id).toBe(true);
    }
    // newest first: the oldest run created is last
    expect(ids.at(-1)).toBe(completed[0]);

    // filters
    const cancelled = await allPages(caller, { limit: 4, status: ['cancelled'] });
    expect(cancelled.map((run) => run.id).sort()).toEqual([...cancelledScripted, ...cancelledWaiting].sort());
    expect(cancelled.every((run) => run.status === 'cancelled')).toBe(true);
    const waiting = await allPages(caller, { limit: 100, kind: 'wait-forever' });
    expect(waiting.map((run) => run.id).sort()).toEqual([...cancelledWaiting].sort());
    const both = await allPages(caller, { limit: 3, status: ['cancelled'], kind: 'scripted-steps' });
    expect(both.map((run) => run.id).sort()).toEqual([...cancelledScripted].sort());
    expect(await caller.analysis.history({ status: ['completed'], kind: 'wait-forever' })).toEqual({
      items: [],
      nextCursor: null,
    });
    const several = await allPages(caller, { limit: 100, status: ['failed', 'cancelled'], kind: 'wait-forever' });
    expect(several).toHaveLength(6);
    expect((await caller.analysis.history()).items).toHaveLength(20);
    expect((await caller.analysis.history({ limit: 1 })).items).toHaveLength(1);
    expect((await caller.analysis.history({ limit: 100 })).items.length).toBeGreaterThanOrEqual(before.length);

    // bounds and bad cursors
    await expectBadInput(caller.analysis.history({ limit: 0 }));
    await expectBadInput(caller.analysis.history({ limit: 101 }));
    await expectBadInput(caller.analysis.history({ limit: 2.5 }));
    await expectBadInput(caller.analysis.history({ cursor: 'x'.repeat(201) }));
    await expectBadInput(
      caller.analysis.history({ status: ['finished'] } as unknown as Parameters<Caller['analysis']['history']>[0]),
    );
    await expectBadInput(
      caller.analysis.history({ kind: 'no-such-kind' } as unknown as Parameters<Caller['analysis']['history']>[0]),
    );
    for (const garbage of [
      'garbage',
      '!!!not-base64!!!',
      Buffer.from('12:').toString('base64url'),
      Buffer.from('x:y').toString('base64url'),
    ]) {
      await expect(caller.analysis.history({ cursor: garbage })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }

    await waitForAll(caller, createdWhilePaging);
  });

  it('idempotency: racing starts share one run; a different input conflicts; keys are per user', async () => {
    const caller = server.caller('idem-user');
    const key = 'idem-key-1';
    const input: StartInput = { kind: 'scripted-steps', input: { steps: 0, label: 'once' }, idempotencyKey: key };
    const results = await Promise.all(Array.from({ length: 20 }, () => caller.analysis.start(input)));
    const ids = new Set(results.map((run) => run.id));
    expect(ids.size).toBe(1);
    const [runId] = [...ids];

    // the same input spelled with its defaults is the same input
    const explicit = await caller.analysis.start({
      kind: 'scripted-steps',
      input: { steps: 0, stepMs: 5, ignoreSignal: false, label: 'once' },
      idempotencyKey: key,
    });
    expect(explicit.id).toBe(runId);

    await waitForRun(caller, runId!);
    const history = await caller.analysis.history({ limit: 100 });
    expect(history.items.map((run) => run.id)).toEqual([runId]);
    // after it finished, the key still names the same run
    const later = await caller.analysis.start(input);
    expect(later.id).toBe(runId);
    expect(later.status).toBe('completed');

    await expect(
      caller.analysis.start({ kind: 'scripted-steps', input: { steps: 1, label: 'once' }, idempotencyKey: key }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(caller.analysis.start({ kind: 'wait-forever', input: {}, idempotencyKey: key })).rejects.toMatchObject(
      {
        code: 'CONFLICT',
      },
    );
    expect((await caller.analysis.history({ limit: 100 })).items).toHaveLength(1);

    const other = server.caller('idem-other-user');
    const theirs = await other.analysis.start(input);
    expect(theirs.id).not.toBe(runId);
    await waitForRun(other, theirs.id);
    expect((await other.analysis.history()).items.map((run) => run.id)).toEqual([theirs.id]);

    // without a key every start is a new run
    const a = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 0 } });
    const b = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 0 } });
    expect(a.id).not.toBe(b.id);
    await waitForAll(caller, [a.id, b.id]);
  });

  it('bad input answers BAD_REQUEST with issues and leaves the server serving', async () => {
    const caller = server.caller('bad-input-user');
    const cast = (value: unknown) => value as StartInput;

    const unknownKind = await expectBadInput(caller.analysis.start(cast({ kind: 'no-such-kind', input: {} })));
    expect(unknownKind.issues[0]?.path).toEqual(['kind']);
    const wrongType = await expectBadInput(
      caller.analysis.start(cast({ kind: 'scripted-steps', input: { steps: 'x' } })),
    );
    expect(wrongType.issues[0]?.path).toEqual(['input', 'steps']);
    await expectBadInput(caller.analysis.start(cast({ kind: 'scripted-steps', input: 'not an object' })));
    await expectBadInput(caller.analysis.start(cast({ kind: 'scripted-steps', input: { steps: 10_001 } })));
    await expectBadInput(caller.analysis.start({ kind: 'scripted-steps', input: { steps: -1 } }));
    await expectBadInput(caller.analysis.start({ kind: 'scripted-steps', input: { steps: 1.5 } }));
    await expectBadInput(caller.analysis.start({ kind: 'many-steps', input: { steps: 0 } }));
    await expectBadInput(
      caller.analysis.start({
        kind: 'neuron-activation-stats',
        input: { layers: 64, neuronsPerLayer: 4096, samples: 200_000 },
      }),
    );
    const longLabel = await expectBadInput(
      caller.analysis.start({ kind: 'scripted-steps', input: { label: 'x'.repeat(201) } }),
    );
    expect(longLabel.issues[0]?.path).toEqual(['input', 'label']);
    await expectBadInput(caller.analysis.start({ kind: 'scripted-steps', input: { label: 'x'.repeat(1024 * 1024) } }));
    await expectBadInput(caller.analysis.start({ kind: 'scripted-steps', input: {}, idempotencyKey: '' }));
    await expectBadInput(caller.analysis.start({ kind: 'scripted-steps', input: {}, idempotencyKey: 'k'.repeat(201) }));
    await expectBadInput(caller.analysis.get({ runId: '' }));
    await expectBadInput(caller.analysis.get({ runId: 'r'.repeat(101) }));
    await expectBadInput(caller.analysis.progress({ runId: 'x', lastEventId: 'abc' }));
    // a label of exactly 200 characters is fine
    const ok = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 0, label: 'y'.repeat(200) } });

    const longReason = await expectBadInput(caller.analysis.cancel({ runId: ok.id, reason: 'r'.repeat(501) }));
    expect(longReason.issues[0]?.path).toEqual(['reason']);
    // nothing was cancelled by the rejected call
    const done = await waitForRun(caller, ok.id);
    expect(done.status).toBe('completed');
    expect(done.cancelRequested).toBe(false);

    // nothing was stored by the rejected starts
    expect((await caller.analysis.history({ limit: 100 })).items.map((run) => run.id)).toEqual([ok.id]);

    // over HTTP the formatted error carries the issues in `data.issues`
    const client = server.client();
    const httpError = await rejection(
      client.analysis.start.mutate(cast({ kind: 'scripted-steps', input: { steps: 'x', label: 'z'.repeat(201) } })),
    );
    expect(httpError).toBeInstanceOf(TRPCClientError);
    const data = (httpError as TRPCClientError<TestRouter>).data;
    expect(data?.code).toBe('BAD_REQUEST');
    expect(data?.httpStatus).toBe(400);
    expect(data?.issues?.map((issue) => issue.path.join('.')).sort()).toEqual(['input.label', 'input.steps']);
    const cancelError = await rejection(client.analysis.cancel.mutate({ runId: ok.id, reason: 'r'.repeat(501) }));
    expect((cancelError as TRPCClientError<TestRouter>).data?.issues?.length).toBeGreaterThan(0);

    // a body over the server's 1 MB limit is refused before parsing; just under it, the schema answers
    const huge = await rejection(
      client.analysis.start.mutate({ kind: 'scripted-steps', input: { steps: 0, label: 'x'.repeat(1024 * 1024) } }),
    );
    expect((huge as TRPCClientError<TestRouter>).data).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 });
    const large = await rejection(
      client.analysis.start.mutate({ kind: 'scripted-steps', input: { steps: 0, label: 'x'.repeat(900 * 1024) } }),
    );
    const largeData = (large as TRPCClientError<TestRouter>).data;
    expect(largeData?.code).toBe('BAD_REQUEST');
    expect(largeData?.issues?.map((issue) => issue.path.join('.'))).toContain('input.label');
    expect((await caller.analysis.history({ limit: 100 })).items).toHaveLength(1);

    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const after = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 1, stepMs: 1 } });
    expect((await waitForRun(caller, after.id)).status).toBe('completed');
  });
});
