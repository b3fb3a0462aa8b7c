import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { terminalEventTypes } from '../../shared/events.ts';
import { isTerminal, type CancelOutcome } from '../../shared/run.ts';
import { openDatabase, type OpenDatabase } from '../../server/db/client.ts';
import { RunHandle } from '../../server/runs/run-handle.ts';
import { providers } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import {
  expectConsistentTimeline,
  sleep,
  waitStatus,
  type Caller,
  type Event,
  type Snapshot,
} from '../support/runs.ts';
import { trackedEvents } from '../support/tracked.ts';

/** CANCEL_GRACE_MS of the test server */
const cancelGraceMs = 500;

/** A live subscription (from a `snapshot`), collected in the background. */
function subscribe(caller: Caller, runId: string) {
  const events: Event[] = [];
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const done = (async () => {
    try {
      for await (const { data } of trackedEvents(await caller.analysis.progress({ runId }))) {
        events.push(data);
        markReady();
      }
    } finally {
      markReady();
    }
    return events;
  })();
  return { events, ready, done };
}

/** Small deterministic PRNG (mulberry32), so a failing race can be replayed from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const raceIterations = 30;

describe.each(providers)('cancel (%s)', (provider) => {
  let server: TestServer;
  let database: OpenDatabase;
  let caller: Caller;

  beforeEach(async () => {
    server = await startTestServer(provider);
    database = await openDatabase(server.database.url);
    caller = server.caller();
  });

  afterEach(async () => {
    await database?.close();
    await server?.close();
  });

  /** Two `wait-forever` runs occupying both MAX_CONCURRENCY slots. */
  async function fillSlots(ignoreSignal = false): Promise<Snapshot[]> {
    const fillers: Snapshot[] = [];
    for (let i = 0; i < 2; i++)
      fillers.push(await caller.analysis.start({ kind: 'wait-forever', input: { ignoreSignal } }));
    for (const filler of fillers) await waitStatus(caller, filler.id, 'running');
    return fillers;
  }

  it('cancels a queued run: it never starts, not even once the slots are free', async () => {
    const fillers = await fillSlots();
    const queued = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 1, stepMs: 0 } });
    expect(queued.status).toBe('queued');

    const { run, outcome } = await caller.analysis.cancel({ runId: queued.id, reason: 'not needed any more' });
    expect(outcome).toBe('cancelled');
    expect(run.status).toBe('cancelled');
    expect(run.cancelRequested).toBe(true);
    expect(run.cancelReason).toBe('not needed any more');
    expect(run.startedAt).toBeNull();

    const stored = await caller.analysis.get({ runId: queued.id });
    expect(stored.status).toBe('cancelled');
    expect(stored.cancelReason).toBe('not needed any more');
    expect(stored.finishedAt).not.toBeNull();

    // free both slots, then prove the runner has claimed since: a newer run completes
    for (const filler of fillers)
      expect((await caller.analysis.cancel({ runId: filler.id })).outcome).toBe('cancelling');
    for (const filler of fillers) await waitStatus(caller, filler.id, 'cancelled');
    const later = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 1, stepMs: 0 } });
    expect((await waitStatus(caller, later.id, 'terminal')).status).toBe('completed');

    const after = await caller.analysis.get({ runId: queued.id });
    expect(after.status).toBe('cancelled');
    expect(after.startedAt).toBeNull();
    expect(after.seq).toBe(stored.seq);
    const events = await expectConsistentTimeline(caller, database, after);
    expect(events.map((event) => event.type)).toEqual(['queued', 'cancelled']);
    expect(events.at(-1)?.run.cancelReason).toBe('not needed any more');
  });

  it('cancels a running run: a subscriber sees cancelling, then cancelled as the terminal event', async () => {
    const started = await caller.analysis.start({ kind: 'wait-forever', input: {} });
    await waitStatus(caller, started.id, 'running');
    const subscription = subscribe(caller, started.id);
    await subscription.ready;

    const { run, outcome } = await caller.analysis.cancel({ runId: started.id, reason: 'user pressed stop' });
    expect(outcome).toBe('cancelling');
    expect(run.status).toBe('running');
    expect(run.cancelRequested).toBe(true);
    expect(run.cancelReason).toBe('user pressed stop');

    const seen = await subscription.done;
    const types = seen.map((event) => event.type);
    expect(types[0]).toBe('snapshot');
    expect(types.filter((type) => type === 'cancelling')).toHaveLength(1);
    expect(types.at(-1)).toBe('cancelled');
    expect(types.indexOf('cancelling')).toBeLessThan(types.indexOf('cancelled'));
    expect(types.filter((type) => terminalEventTypes.includes(type))).toEqual(['cancelled']);
    // no gaps after the snapshot, no duplicates
    const seqs = seen.map((event) => event.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe((seqs[i - 1] ?? 0) + 1);

    const final = await caller.analysis.get({ runId: started.id });
    expect(final.status).toBe('cancelled');
    expect(final.cancelRequested).toBe(true);
    expect(final.cancelReason).toBe('user pressed stop');
    expect(final.result).toBeNull();
    expect(final.error).toBeNull();
    expect(final.stages.find((stage) => stage.key === 'wait')?.status).toBe('cancelled');
    await expectConsistentTimeline(caller, database, final);
  });

  it('finishes a run that ignores its signal after the grace period, and frees its slot', async () => {
    const deaf = await fillSlots(true);
    const waiting = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 1, stepMs: 0 } });
    expect(waiting.status).toBe('queued');

    for (const run of deaf) {
      const { outcome } = await caller.analysis.cancel({ runId: run.id });
      expect(outcome).toBe('cancelling');
    }
    for (const run of deaf) {
      const final = await waitStatus(caller, run.id, 'terminal');
      expect(final.status).toBe('cancelled');
      const events = await expectConsistentTimeline(caller, database, final);
      const cancelling = events.find((event) => event.type === 'cancelling');
      const cancelled = events.at(-1);
      expect(cancelling).toBeDefined();
      // the analysis never stopped by itself: only the grace deadline ended it (a lower bound, safe under load)
      expect((cancelled?.at.getTime() ?? 0) - (cancelling?.at.getTime() ?? 0)).toBeGreaterThanOrEqual(
        cancelGraceMs - 20,
      );
    }
    // both slots were held by deaf runs: the queued run can only run if they were released
    const final = await waitStatus(caller, waiting.id, 'terminal');
    expect(final.status).toBe('completed');
    expect(server.app.runner.activeRuns).toBe(0);
  });

  it('repeating a cancel is harmless, and cancelling a finished run changes nothing', async () => {
    const started = await caller.analysis.start({ kind: 'wait-forever', input: {} });
    await waitStatus(caller, started.id, 'running');
    const first = await caller.analysis.cancel({ runId: started.id, reason: 'first' });
    expect(first.outcome).toBe('cancelling');
    const second = await caller.analysis.cancel({ runId: started.id, reason: 'second' });
    expect(['cancelling', 'already-finished']).toContain(second.outcome);
    const final = await waitStatus(caller, started.id, 'terminal');
    expect(final.status).toBe('cancelled');
    expect(final.cancelReason).toBe('first');
    const third = await caller.analysis.cancel({ runId: started.id, reason: 'third' });
    expect(third.outcome).toBe('already-finished');
    expect(third.run.status).toBe('cancelled');
    expect(third.run.seq).toBe(final.seq);
    const events = await expectConsistentTimeline(caller, database, final);
    expect(events.filter((event) => event.type === 'cancelling')).toHaveLength(1);

    // two cancels at once on a running run: one event, one outcome that accepted it
    const twice = await caller.analysis.start({ kind: 'wait-forever', input: {} });
    await waitStatus(caller, twice.id, 'running');
    const outcomes = await Promise.all([
      caller.analysis.cancel({ runId: twice.id }),
      caller.analysis.cancel({ runId: twice.id }),
    ]);
    for (const { outcome } of outcomes) expect(['cancelling', 'already-finished']).toContain(outcome);
    expect(outcomes.map(({ outcome }) => outcome)).toContain('cancelling');
    const twiceFinal = await waitStatus(caller, twice.id, 'terminal');
    expect(twiceFinal.status).toBe('cancelled');
    const twiceEvents = await expectConsistentTimeline(caller, database, twiceFinal);
    expect(twiceEvents.filter((event) => event.type === 'cancelling')).toHaveLength(1);

    // two cancels at once on a queued run: exactly one of them cancels it
    const fillers = await fillSlots();
    const queued = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 1, stepMs: 0 } });
    const queuedOutcomes = await Promise.all([
      caller.analysis.cancel({ runId: queued.id }),
      caller.analysis.cancel({ runId: queued.id }),
    ]);
    expect(queuedOutcomes.map(({ outcome }) => outcome).sort()).toEqual(['already-finished', 'cancelled']);
    const queuedFinal = await caller.analysis.get({ runId: queued.id });
    expect(queuedFinal.status).toBe('cancelled');
    const queuedEvents = await expectConsistentTimeline(caller, database, queuedFinal);
    expect(queuedEvents.map((event) => event.type)).toEqual(['queued', 'cancelled']);
    for (const filler of fillers) await caller.analysis.cancel({ runId: filler.id });

    // a completed run: already-finished, the run exactly as it was
    const done = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 1, stepMs: 0 } });
    const completed = await waitStatus(caller, done.id, 'terminal');
    expect(completed.status).toBe('completed');
    const eventCount = await database.db.runEvent.count({ where: { runId: done.id } });
    const cancelled = await caller.analysis.cancel({ runId: done.id, reason: 'too late' });
    expect(cancelled.outcome).toBe('already-finished');
    expect(cancelled.run.status).toBe('completed');
    expect(cancelled.run.cancelRequested).toBe(false);
    expect(cancelled.run.cancelReason).toBeNull();
    expect(cancelled.run.seq).toBe(completed.seq);
    const unchanged = await caller.analysis.get({ runId: done.id });
    expect(unchanged).toEqual(completed);
    expect(await database.db.runEvent.count({ where: { runId: done.id } })).toBe(eventCount);
  });

  describe('races', () => {
    const distributions: Record<string, Record<string, number>> = {};
    function tally(race: string, key: string): void {
      const counts = (distributions[race] ??= {});
      counts[key] = (counts[key] ?? 0) + 1;
    }
    afterEach(() => {
      console.log(`[cancel races ${provider}] ${JSON.stringify(distributions)}`);
    });

    /** Starts a run, cancels it after `delay`, waits for its end and checks the timeline. */
    async function race(
      input: { steps: number; stepMs: number; failAtStep?: number },
      delay: number | 'now' | 'immediate',
    ): Promise<{ outcome: CancelOutcome; final: Snapshot; events: Event[] }> {
      const run = await caller.analysis.start({ kind: 'scripted-steps', input });
      if (delay === 'immediate') await new Promise((resolve) => setImmediate(resolve));
      else if (delay !== 'now') await sleep(delay);
      const { outcome, run: answered } = await caller.analysis.cancel({ runId: run.id, reason: 'race' });
      const final = await waitStatus(caller, run.id, 'terminal');
      const context = `${JSON.stringify(input)} delay ${delay}: outcome ${outcome}, final ${final.status}`;
      if (outcome === 'already-finished') {
        expect(isTerminal(answered.status), context).toBe(true);
        expect(answered.status, context).toBe(final.status);
        expect(final.cancelRequested, context).toBe(false);
      } else {
        expect(final.status, context).toBe('cancelled');
        expect(final.cancelRequested, context).toBe(true);
        expect(final.cancelReason, context).toBe('race');
        expect(final.result, context).toBeNull();
      }
      const events = await expectConsistentTimeline(caller, database, final);
      return { outcome, final, events };
    }

    it(`cancel vs. complete (${raceIterations} iterations)`, { timeout: 180_000 }, async () => {
      const random = prng(provider === 'sqlite' ? 1 : 2);
      for (let i = 0; i < raceIterations; i++) {
        const steps = 1 + Math.floor(random() * 3);
        const stepMs = Math.floor(random() * 3);
        const delay = Math.floor(random() * 40);
        const { outcome, final } = await race({ steps, stepMs }, delay);
        expect(final.status).toBe(outcome === 'already-finished' ? 'completed' : 'cancelled');
        tally('complete', `${outcome}->${final.status}`);
      }
    });

    it(`cancel vs. fail (${raceIterations} iterations)`, { timeout: 180_000 }, async () => {
      const random = prng(provider === 'sqlite' ? 3 : 4);
      for (let i = 0; i < raceIterations; i++) {
        const steps = 1 + Math.floor(random() * 3);
        const stepMs = Math.floor(random() * 3);
        const failAtStep = 1 + Math.floor(random() * steps * 3);
        const delay = Math.floor(random() * 40);
        const { outcome, final } = await race({ steps, stepMs, failAtStep }, delay);
        expect(final.status).toBe(outcome === 'already-finished' ? 'failed' : 'cancelled');
        if (final.status === 'failed') expect(final.error?.code).toBe('SCRIPTED_FAILURE');
        tally('fail', `${outcome}->${final.status}`);
      }
    });

    it(`cancel vs. start (${raceIterations} iterations)`, { timeout: 180_000 }, async () => {
      const random = prng(provider === 'sqlite' ? 5 : 6);
      const delays = ['now', 'immediate', 0, 1, 2, 3] as const;
      for (let i = 0; i < raceIterations; i++) {
        const delay = delays[Math.floor(random() * delays.length)] ?? 'now';
        // 50 ms of steps: the cancel (0–3 ms after start) races the claim, not the end, even on a busy machine
        const { outcome, final, events } = await race({ steps: 2, stepMs: 25 }, delay);
        expect(final.status).toBe('cancelled');
        if (outcome === 'cancelled') {
          expect(events.map((event) => event.type)).toEqual(['queued', 'cancelled']);
          expect(final.startedAt).toBeNull();
        }
        if (outcome === 'cancelling') expect(events.map((event) => event.type)).toContain('started');
        tally('start', `${outcome}->${final.status}`);
      }
    });

    it(`cancel vs. claim when a slot frees up (${raceIterations} iterations)`, { timeout: 180_000 }, async () => {
      const random = prng(provider === 'sqlite' ? 7 : 8);
      // one slot stays busy; the other is held by a gate run that is cancelled at the same time as the target
      const holder = await caller.analysis.start({ kind: 'wait-forever', input: {} });
      await waitStatus(caller, holder.id, 'running');
      for (let i = 0; i < raceIterations; i++) {
        const gate = await caller.analysis.start({ kind: 'wait-forever', input: {} });
        await waitStatus(caller, gate.id, 'running');
        const target = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 4, stepMs: 15 } });
        expect(target.status).toBe('queued');
        // negative: the target's cancel goes first, the gate's |delay| ms later
        const delay = provider === 'sqlite' ? Math.floor(random() * 16) - 4 : Math.floor(random() * 80) - 2;
        const [, { outcome }] = await Promise.all([
          sleep(Math.max(0, -delay)).then(() => caller.analysis.cancel({ runId: gate.id })),
          sleep(Math.max(0, delay)).then(() => caller.analysis.cancel({ runId: target.id, reason: 'race' })),
        ]);
        const final = await waitStatus(caller, target.id, 'terminal');
        // the target lasts ~180 ms: finishing before the cancel is possible only on a very slow machine
        expect(final.status, `delay ${delay}, outcome ${outcome}`).toBe(
          outcome === 'already-finished' ? 'completed' : 'cancelled',
        );
        if (outcome !== 'already-finished') expect(final.cancelReason).toBe('race');
        const events = await expectConsistentTimeline(caller, database, final);
        if (outcome === 'cancelled') {
          expect(events.map((event) => event.type)).toEqual(['queued', 'cancelled']);
          expect(final.startedAt).toBeNull();
        } else {
          expect(events.map((event) => event.type)).toContain('started');
        }
        await expectConsistentTimeline(caller, database, await waitStatus(caller, gate.id, 'cancelled'));
        tally('claim', `${outcome}->${final.status}`);
      }
      await caller.analysis.cancel({ runId: holder.id });
    });
  });

  it('does not lose a cancel accepted while shutdown is re-queueing the run', async () => {
    const started = await caller.analysis.start({ kind: 'wait-forever', input: {} });
    await waitStatus(caller, started.id, 'running');
    // what `analysis.cancel` reads before it hands the run to the runner
    const row = await database.db.run.findUniqueOrThrow({ where: { id: started.id } });
    const runner = server.app.runner;
    let during: Promise<{ run: Snapshot; outcome: CancelOutcome }> | undefined;
    const interrupt = Object.getOwnPropertyDescriptor(RunHandle.prototype, 'interrupt')?.value as (
      this: RunHandle,
    ) => Promise<void>;
    // the cancel arrives just as shutdown interrupts the run (the HTTP server still serves until the runner has stopped)
    const spy = vi.spyOn(RunHandle.prototype, 'interrupt').mockImplementation(function (this: RunHandle) {
      const settled = interrupt.call(this);
      during ??= runner.cancel(row, 'cancelled during shutdown');
      return settled;
    });
    try {
      await server.app.close(0);
    } finally {
      spy.mockRestore();
    }
    expect(during).toBeDefined();
    const { outcome, run } = await (during ?? Promise.reject(new Error('interrupt was not called')));
    const stored = await database.db.run.findUniqueOrThrow({ where: { id: started.id } });
    const context = `outcome ${outcome} (answered status ${run.status}, cancelRequested ${run.cancelRequested}); stored: status ${stored.status}, attempt ${stored.attempt}, cancelRequested ${stored.cancelRequested}`;
    // an accepted cancel must end the run cancelled: a re-queued run would be started again by the next server
    if (outcome !== 'already-finished') expect(stored.status, context).toBe('cancelled');
    else expect(stored.status, context).not.toBe('running');
  });

  it(
    'cancel vs. shutdown through the API: an accepted cancel is never turned into a re-queue',
    { timeout: 120_000 },
    async () => {
      const tallies: Record<string, number> = {};
      for (let i = 0; i < 8; i++) {
        if (i > 0) {
          await database.close();
          server = await startTestServer(provider);
          database = await openDatabase(server.database.url);
          caller = server.caller();
        }
        const started = await caller.analysis.start({ kind: 'wait-forever', input: {} });
        await waitStatus(caller, started.id, 'running');
        const delay = i;
        const closing = server.app.close(0);
        // a cancel that fails outright (the server already closed its database) accepted nothing: no claim to check
        const answer = await sleep(delay)
          .then(() => caller.analysis.cancel({ runId: started.id }))
          .catch(() => null);
        await closing;
        const stored = await database.db.run.findUniqueOrThrow({ where: { id: started.id } });
        const key = `${answer?.outcome ?? 'error'}->${stored.status}`;
        tallies[key] = (tallies[key] ?? 0) + 1;
        if (answer && answer.outcome !== 'already-finished') {
          expect(
            stored.status,
            `delay ${delay}: outcome ${answer.outcome}, stored ${stored.status} (attempt ${stored.attempt})`,
          ).toBe('cancelled');
        }
        if (i < 7) await server.close();
      }
      console.log(`[cancel vs. shutdown ${provider}] ${JSON.stringify(tallies)}`);
    },
  );

  it('finalizes a cancelled run whose owner is gone once the grace period is over', async () => {
    // no stall scan may interfere: only the cancel deadline can finish this run
    await server.close();
    await database.close();
    server = await startTestServer(provider, { env: { STALL_TIMEOUT_MS: '600000' } });
    database = await openDatabase(server.database.url);
    caller = server.caller();

    const fillers = await fillSlots();
    const orphan = await caller.analysis.start({ kind: 'wait-forever', input: {} });
    const row = await database.db.run.findUniqueOrThrow({ where: { id: orphan.id } });
    expect(row.status).toBe('queued');
    // what another, now unresponsive, server would have written when it claimed the run
    const now = new Date();
    const iso = now.toISOString();
    await database.db.$transaction([
      database.db.run.update({
        where: { id: orphan.id, status: 'queued', seq: row.seq },
        data: {
          status: 'running',
          workerId: 'gone',
          startedAt: now,
          heartbeatAt: now,
          updatedAt: now,
          seq: row.seq + 1,
        },
      }),
      database.db.runEvent.create({
        data: {
          runId: orphan.id,
          seq: row.seq + 1,
          type: 'started',
          at: now,
          patch: { status: 'running', startedAt: iso, heartbeatAt: iso, updatedAt: iso, seq: row.seq + 1 },
        },
      }),
    ]);
    for (const filler of fillers) await caller.analysis.cancel({ runId: filler.id });

    const { run, outcome } = await caller.analysis.cancel({ runId: orphan.id, reason: 'owner gone' });
    expect(outcome).toBe('cancelling');
    expect(run.status).toBe('running');
    expect(run.cancelRequested).toBe(true);
    expect(server.app.runner.liveSnapshot(orphan.id)).toBeNull();

    const final = await waitStatus(caller, orphan.id, 'terminal');
    expect(final.status).toBe('cancelled');
    expect(final.cancelReason).toBe('owner gone');
    const events = await expectConsistentTimeline(caller, database, final);
    expect(events.map((event) => event.type)).toEqual(['queued', 'started', 'cancelling', 'cancelled']);
    const cancelling = events[2];
    // finalized by the deadline, not earlier (a lower bound, safe under load)
    expect((final.finishedAt?.getTime() ?? 0) - (cancelling?.at.getTime() ?? 0)).toBeGreaterThanOrEqual(
      cancelGraceMs - 20,
    );
  });
});
