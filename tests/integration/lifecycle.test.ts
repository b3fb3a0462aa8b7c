import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import pg from 'pg';
import WebSocket from 'ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeAnalysisClient, createAnalysisClient } from '../../client/index.ts';
import { openDatabase, type OpenDatabase } from '../../server/db/client.ts';
import type { Prisma } from '../../server/db/generated/sqlite/client.ts';
import { createTestDatabase, postgresBaseUrl, providers, type TestDatabase } from '../support/databases.ts';
import { startTestServer } from '../support/test-server.ts';
import {
  expectConsistentTimeline,
  milestones,
  pollUntil,
  sleep,
  waitStatus,
  type Caller,
  type Snapshot,
  type Event,
} from '../support/runs.ts';
import { trackedEvents } from '../support/tracked.ts';

/** FLUSH_INTERVAL_MS of the test server */
const flushIntervalMs = 100;

/**
 * Turns a queued run into what a server that claimed it and then died leaves
 * behind: `running`, leased by a worker that is gone, its first stage
 * running, the heartbeat `heartbeatAt`, with the matching `started` and
 * `stage` events (and `cancelling` if a cancel was stored before the crash).
 */
async function leaveAsCrashed(
  database: OpenDatabase,
  runId: string,
  crash: { heartbeatAt: Date; maxAttempts: number; cancelRequested?: boolean },
): Promise<void> {
  const { db } = database;
  const row = await db.run.findUniqueOrThrow({ where: { id: runId } });
  expect(row.status).toBe('queued');
  expect(row.seq).toBe(1);
  const startedAt = new Date(crash.heartbeatAt.getTime() - 1000);
  const started = startedAt.toISOString();
  const beat = crash.heartbeatAt.toISOString();
  const stages = row.stages as Array<{ key: string; label: string }>;
  const first = stages[0];
  if (!first) throw new Error('the run has no stages');
  const events: Prisma.RunEventCreateManyInput[] = [
    {
      runId,
      seq: 2,
      type: 'started',
      at: startedAt,
      patch: { status: 'running', startedAt: started, heartbeatAt: started, updatedAt: started, seq: 2 },
    },
    {
      runId,
      seq: 3,
      type: 'stage',
      at: crash.heartbeatAt,
      patch: {
        stage: { key: first.key, label: first.label, index: 0, count: stages.length },
        heartbeatAt: beat,
        updatedAt: beat,
        seq: 3,
      },
    },
  ];
  if (crash.cancelRequested) {
    events.push({
      runId,
      seq: 4,
      type: 'cancelling',
      at: crash.heartbeatAt,
      patch: { cancelRequested: true, cancelReason: 'stop it', seq: 4 },
    });
  }
  const runningStages = stages.map((stage, index) =>
    index === 0 ? { ...stage, status: 'running', startedAt: started } : stage,
  );
  await db.$transaction([
    db.run.update({
      where: { id: runId, status: 'queued', seq: 1 },
      data: {
        status: 'running',
        workerId: 'gone',
        attempt: 1,
        maxAttempts: crash.maxAttempts,
        startedAt,
        heartbeatAt: crash.heartbeatAt,
        updatedAt: crash.heartbeatAt,
        stageIndex: 0,
        stages: runningStages,
        seq: events.length + 1,
        ...(crash.cancelRequested && { cancelRequested: true, cancelReason: 'stop it' }),
      },
    }),
    db.runEvent.createMany({ data: events }),
  ]);
}

const oneHourAgo = () => new Date(Date.now() - 60 * 60 * 1000);

describe.each(providers)('lifecycle (%s)', (provider) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
  });

  async function server(options: Parameters<typeof startTestServer>[1] = {}) {
    const started = await startTestServer(provider, options);
    let closed = false;
    cleanups.push(async () => {
      if (!closed) await started.close();
    });
    return {
      server: started,
      /** closes the server but keeps its database for a successor */
      async closeKeepingDatabase(graceMs: number) {
        closed = true;
        await started.app.close(graceMs);
        await started.close({ keepDatabase: true });
      },
    };
  }

  async function open(url: string): Promise<OpenDatabase> {
    const database = await openDatabase(url);
    cleanups.push(() => database.close());
    return database;
  }

  /** Two `wait-forever` runs occupying both MAX_CONCURRENCY slots. */
  async function fillSlots(caller: Caller): Promise<Snapshot[]> {
    const fillers: Snapshot[] = [];
    for (let i = 0; i < 2; i++) fillers.push(await caller.analysis.start({ kind: 'wait-forever', input: {} }));
    for (const filler of fillers) await waitStatus(caller, filler.id, 'running');
    return fillers;
  }

  describe('stalled runs', () => {
    it('fails a run left running by a dead server with STALLED (found by the periodic scan)', async () => {
      const { server: s } = await server();
      const database = await open(s.database.url);
      const caller = s.caller();
      const fillers = await fillSlots(caller);
      const run = await caller.analysis.start({ kind: 'wait-forever', input: {} });
      await leaveAsCrashed(database, run.id, { heartbeatAt: oneHourAgo(), maxAttempts: 1 });

      // no explicit scan: the runner's own timer must find it
      const final = await waitStatus(caller, run.id, 'terminal');
      expect(final.status).toBe('failed');
      expect(final.error?.code).toBe('STALLED');
      expect(final.attempt).toBe(1);
      expect(final.stages[0]?.status).toBe('failed');
      const events = await expectConsistentTimeline(caller, database, final);
      expect(milestones(events)).toEqual(['queued', 'started', 'stage', 'failed']);
      expect(events.at(-1)?.run.error?.code).toBe('STALLED');
      const row = await database.db.run.findUniqueOrThrow({ where: { id: run.id } });
      expect(row.workerId).toBeNull();

      // live runs of this server with fresh heartbeats are left alone
      await s.app.runner.scanForStalledRuns();
      for (const filler of fillers) expect((await caller.analysis.get({ runId: filler.id })).status).toBe('running');
    });

    it('re-queues a stalled run whose kind allows another attempt, which then completes', async () => {
      const { server: s } = await server();
      const database = await open(s.database.url);
      const caller = s.caller();
      const fillers = await fillSlots(caller);
      const run = await caller.analysis.start({
        kind: 'scripted-steps',
        input: { steps: 2, stepMs: 1, label: 'retry me' },
      });
      await leaveAsCrashed(database, run.id, { heartbeatAt: oneHourAgo(), maxAttempts: 2 });
      for (const filler of fillers) await caller.analysis.cancel({ runId: filler.id });
      for (const filler of fillers) await waitStatus(caller, filler.id, 'cancelled');

      await s.app.runner.scanForStalledRuns();
      const final = await waitStatus(caller, run.id, 'terminal');
      expect(final.status).toBe('completed');
      expect(final.attempt).toBe(2);
      expect(final.error).toBeNull();
      expect(final.result).toEqual({ steps: 6, label: 'retry me' });
      const events = await expectConsistentTimeline(caller, database, final);
      expect(milestones(events)).toEqual([
        'queued',
        'started',
        'stage',
        'queued',
        'started',
        'stage',
        'stage',
        'stage',
        'completed',
      ]);
      const requeued = events.find((event, index) => index > 0 && event.type === 'queued');
      expect(requeued?.run.attempt).toBe(2);
      expect(requeued?.run.progress).toBe(0);
      expect(requeued?.run.status).toBe('queued');
    });

    it('cancels a stalled run whose cancel was already requested', async () => {
      const { server: s } = await server();
      const database = await open(s.database.url);
      const caller = s.caller();
      const fillers = await fillSlots(caller);
      const run = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 2, stepMs: 1 } });
      await leaveAsCrashed(database, run.id, { heartbeatAt: oneHourAgo(), maxAttempts: 2, cancelRequested: true });

      await s.app.runner.scanForStalledRuns();
      const final = await waitStatus(caller, run.id, 'terminal');
      expect(final.status).toBe('cancelled');
      expect(final.cancelReason).toBe('stop it');
      expect(final.attempt).toBe(1);
      expect(final.stages[0]?.status).toBe('cancelled');
      const events = await expectConsistentTimeline(caller, database, final);
      expect(milestones(events)).toEqual(['queued', 'started', 'stage', 'cancelling', 'cancelled']);
      for (const filler of fillers) await caller.analysis.cancel({ runId: filler.id });
    });

    it('finishes an accepted cancel whose owner is gone after the grace period, long before the stall timeout', async () => {
      const { server: s } = await server({ env: { STALL_TIMEOUT_MS: '600000' } });
      const database = await open(s.database.url);
      const caller = s.caller();
      const fillers = await fillSlots(caller);
      const run = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 2, stepMs: 1 } });
      // heartbeat 2 s old: far from stalled, but older than the 500 ms cancel grace
      await leaveAsCrashed(database, run.id, {
        heartbeatAt: new Date(Date.now() - 2000),
        maxAttempts: 2,
        cancelRequested: true,
      });
      expect((await caller.analysis.cancel({ runId: run.id })).outcome).toBe('cancelling');

      await s.app.runner.scanForStalledRuns();
      const final = await waitStatus(caller, run.id, 'terminal');
      expect(final.status).toBe('cancelled');
      const events = await expectConsistentTimeline(caller, database, final);
      expect(milestones(events)).toEqual(['queued', 'started', 'stage', 'cancelling', 'cancelled']);
      for (const filler of fillers) await caller.analysis.cancel({ runId: filler.id });
    });
  });

  describe('restart', () => {
    it('re-queues a running run on shutdown; the next server runs it as attempt 2', async () => {
      const a = await server();
      const database = await open(a.server.database.url);
      const run = await a.server.caller().analysis.start({ kind: 'wait-forever', input: { ignoreSignal: false } });
      await waitStatus(a.server.caller(), run.id, 'running');
      await a.closeKeepingDatabase(200);

      const row = await database.db.run.findUniqueOrThrow({ where: { id: run.id } });
      expect(row.status).toBe('queued');
      expect(row.attempt).toBe(2);
      expect(row.progress).toBe(0);
      expect(row.workerId).toBeNull();
      expect(row.startedAt).toBeNull();
      expect(row.cancelRequested).toBe(false);
      expect((row.stages as Array<{ status: string }>).map((stage) => stage.status)).toEqual(['pending']);
      const stored = await database.db.runEvent.findMany({ where: { runId: run.id }, orderBy: { seq: 'asc' } });
      expect(stored.map((event) => event.seq)).toEqual(stored.map((_event, index) => index + 1));
      expect(stored.at(-1)?.seq).toBe(row.seq);
      expect(milestones(stored)).toEqual(['queued', 'started', 'stage', 'queued']);

      const b = await server({ database: a.server.database });
      const caller = b.server.caller();
      const resumed = await waitStatus(caller, run.id, 'running');
      expect(resumed.attempt).toBe(2);
      const { outcome } = await caller.analysis.cancel({ runId: run.id });
      expect(outcome).toBe('cancelling');
      const final = await waitStatus(caller, run.id, 'terminal');
      expect(final.status).toBe('cancelled');
      expect(final.attempt).toBe(2);
      const events = await expectConsistentTimeline(caller, database, final);
      expect(milestones(events)).toEqual([
        'queued',
        'started',
        'stage',
        'queued',
        'started',
        'stage',
        'cancelling',
        'cancelled',
      ]);
    });

    it('lets a running run finish within the shutdown grace period instead of re-queueing it', async () => {
      const a = await server();
      const database = await open(a.server.database.url);
      const caller = a.server.caller();
      const run = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 4, stepMs: 40 } });
      await waitStatus(caller, run.id, 'running');
      await a.closeKeepingDatabase(30_000);
      const row = await database.db.run.findUniqueOrThrow({ where: { id: run.id } });
      expect(row.status).toBe('completed');
      expect(row.attempt).toBe(1);
      expect(row.progress).toBe(100);
      expect(row.workerId).toBeNull();
      const stored = await database.db.runEvent.findMany({ where: { runId: run.id }, orderBy: { seq: 'asc' } });
      expect(milestones(stored)).toEqual(['queued', 'started', 'stage', 'stage', 'stage', 'completed']);
      expect(stored.at(-1)?.seq).toBe(row.seq);
    });

    it('keeps queued runs queued across a restart; the next server starts them in creation order', async () => {
      const a = await server();
      const database = await open(a.server.database.url);
      const first = a.server.caller();
      const fillers = await fillSlots(first);
      const queued: Snapshot[] = [];
      for (let i = 0; i < 4; i++) {
        // distinct creation times (ties are the next test's subject)
        const previous = queued.at(-1)?.createdAt.getTime() ?? 0;
        while (Date.now() <= previous) await sleep(1);
        queued.push(
          await first.analysis.start({ kind: 'scripted-steps', input: { steps: 2, stepMs: 2, label: `run ${i}` } }),
        );
      }
      await a.closeKeepingDatabase(100);

      for (const run of queued) {
        const row = await database.db.run.findUniqueOrThrow({ where: { id: run.id } });
        expect(row.status).toBe('queued');
        expect(row.attempt).toBe(1);
        expect(row.seq).toBe(1);
      }
      // the fillers were running: re-queued, and older than the queued runs
      for (const filler of fillers)
        expect((await database.db.run.findUniqueOrThrow({ where: { id: filler.id } })).status).toBe('queued');

      // one run at a time, so the order they start in is the order they finish in
      const b = await server({ database: a.server.database, env: { MAX_CONCURRENCY: '1' } });
      const caller = b.server.caller();
      for (const filler of [...fillers].reverse()) {
        expect(['cancelled', 'cancelling']).toContain((await caller.analysis.cancel({ runId: filler.id })).outcome);
      }
      const finals: Snapshot[] = [];
      for (const run of queued) finals.push(await waitStatus(caller, run.id, 'terminal'));
      for (const final of finals) {
        expect(final.status).toBe('completed');
        expect(final.attempt).toBe(1);
      }
      expect(byExecutionOrder(finals)).toEqual(queued.map((run) => run.id));
      for (let i = 1; i < finals.length; i++) {
        expect(finals[i]?.startedAt?.getTime()).toBeGreaterThanOrEqual(
          finals[i - 1]?.finishedAt?.getTime() ?? Infinity,
        );
      }
    });

    it('starts runs created within the same millisecond in the order they were created', async () => {
      const { server: s } = await server({ env: { MAX_CONCURRENCY: '1' } });
      const caller = s.caller();
      const holder = await caller.analysis.start({ kind: 'wait-forever', input: {} });
      await waitStatus(caller, holder.id, 'running');
      const queued: Snapshot[] = [];
      // a fast client (or a burst of them) creates several runs within one millisecond: freeze the clock to get that every time
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        for (let i = 0; i < 6; i++)
          queued.push(await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 1, stepMs: 0 } }));
      } finally {
        vi.useRealTimers();
      }
      expect(new Set(queued.map((run) => run.createdAt.getTime())).size).toBe(1);
      await caller.analysis.cancel({ runId: holder.id });
      const finals: Snapshot[] = [];
      for (const run of queued) finals.push(await waitStatus(caller, run.id, 'terminal'));
      expect(finals.map((run) => run.status)).toEqual(queued.map(() => 'completed'));
      expect(byExecutionOrder(finals)).toEqual(queued.map((run) => run.id));
    });
  });

  describe('liveness and write bounds', () => {
    it('advances heartbeatAt and updatedAt while running and publishes heartbeat events', async () => {
      const { server: s } = await server();
      const database = await open(s.database.url);
      const caller = s.caller();
      const run = await caller.analysis.start({ kind: 'wait-forever', input: {} });
      await waitStatus(caller, run.id, 'running');

      const before = await caller.analysis.get({ runId: run.id });
      const storedBefore = await database.db.run.findUniqueOrThrow({ where: { id: run.id } });
      await sleep(500);
      const after = await pollUntil(
        'the heartbeat to advance',
        () => caller.analysis.get({ runId: run.id }),
        (snapshot) => (snapshot.heartbeatAt?.getTime() ?? 0) > (before.heartbeatAt?.getTime() ?? 0),
      );
      expect(after.status).toBe('running');
      expect(after.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
      expect(after.seq).toBeGreaterThan(before.seq);
      // the lease is extended in the database too: that is what the stall scan reads
      await pollUntil(
        'the stored heartbeat to advance',
        () => database.db.run.findUniqueOrThrow({ where: { id: run.id } }),
        (row) => (row.heartbeatAt?.getTime() ?? 0) > (storedBefore.heartbeatAt?.getTime() ?? 0),
      );

      const heartbeats: Event[] = [];
      for await (const { data } of trackedEvents(await caller.analysis.progress({ runId: run.id }))) {
        if (data.type === 'heartbeat') heartbeats.push(data);
        if (heartbeats.length >= 3) break;
      }
      expect(heartbeats).toHaveLength(3);
      for (let i = 1; i < heartbeats.length; i++) {
        expect(heartbeats[i]?.seq).toBeGreaterThan(heartbeats[i - 1]?.seq ?? Infinity);
        expect(heartbeats[i]?.run.heartbeatAt?.getTime()).toBeGreaterThan(
          heartbeats[i - 1]?.run.heartbeatAt?.getTime() ?? Infinity,
        );
      }
      await caller.analysis.cancel({ runId: run.id });
      await waitStatus(caller, run.id, 'cancelled');
    });

    it(
      'coalesces a million step reports into a bounded number of events and writes',
      { timeout: 120_000 },
      async () => {
        const { server: s } = await server();
        const database = await open(s.database.url);
        const caller = s.caller();
        const flushesBefore = s.app.runner.progressFlushes;
        const startedAt = Date.now();
        const run = await caller.analysis.start({ kind: 'many-steps', input: { steps: 1_000_000 } });

        const events: Event[] = [];
        for await (const { data } of trackedEvents(
          await caller.analysis.progress({ runId: run.id, lastEventId: '0' }),
        )) {
          events.push(data);
        }
        const elapsedMs = Date.now() - startedAt;
        const flushes = s.app.runner.progressFlushes - flushesBefore;

        const last = events.at(-1);
        expect(last?.type).toBe('completed');
        expect(last?.run.progress).toBe(100);
        expect(last?.run.result).toEqual({ steps: 1_000_000 });
        expect(events.map((event) => event.seq)).toEqual(events.map((_event, index) => index + 1));
        const progress = events.map((event) => event.run.progress);
        for (let i = 1; i < progress.length; i++)
          expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1] ?? Infinity);
        for (const event of events.slice(0, -1)) expect(event.run.progress).toBeLessThan(100);
        const steps = events.filter((event) => event.type === 'progress');
        expect(steps.length).toBeGreaterThan(0);
        expect(steps.at(-1)?.run.step).toEqual({ current: 1_000_000, total: 1_000_000 });
        expect(progress.filter((value) => value > 0 && value < 100).length).toBeGreaterThan(0);

        const stored = await database.db.runEvent.count({ where: { runId: run.id } });
        expect(stored).toBe(last?.seq);
        expect(stored).toBeLessThan(2_000);
        // batched writes: at most one flush per interval (plus the final one), however often the analysis reports
        expect(flushes).toBeLessThanOrEqual(Math.ceil(elapsedMs / flushIntervalMs) + 2);
        console.log(
          `[lifecycle ${provider}] 1,000,000 steps: ${events.length} events (${steps.length} progress), ` +
            `${stored} stored, ${flushes} progress flushes in ${elapsedMs} ms`,
        );

        if (provider === 'postgresql') {
          const schema = new URL(s.database.url).searchParams.get('schema');
          await s.app.close(0); // ends the server's connections, which flushes their table statistics
          const client = new pg.Client({ connectionString: postgresBaseUrl });
          await client.connect();
          try {
            const stats = await pollUntil(
              'table statistics',
              async () => {
                const result = await client.query<{ n_tup_upd: string; n_tup_ins: string }>(
                  'SELECT n_tup_upd, n_tup_ins FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2',
                  [schema, 'analysis_runs'],
                );
                return result.rows[0] ?? { n_tup_upd: '0', n_tup_ins: '0' };
              },
              (row) => Number(row.n_tup_upd) >= 3,
              10_000,
            );
            console.log(`[lifecycle postgresql] analysis_runs row updates: ${stats.n_tup_upd}`);
            expect(Number(stats.n_tup_upd)).toBeLessThan(2_000);
          } finally {
            await client.end();
          }
        }
      },
    );
  });

  it('SIGTERM re-queues a running run and exits with code 0', { timeout: 180_000 }, async () => {
    const testDatabase: TestDatabase = await createTestDatabase(provider);
    cleanups.push(() => testDatabase.drop());
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: testDatabase.url,
      HOST: '127.0.0.1',
      PORT: String(port),
      SHUTDOWN_GRACE_MS: '300',
      MAX_CONCURRENCY: '1',
    };
    delete env.API_TOKENS;
    // The server process itself, with tsx as a loader. Not `npx tsx server/main.ts`: npm's wrapper dies of
    // the signal (exit code null) instead of passing on the server's; and not the `tsx` CLI either: it relays
    // SIGTERM to its child and SIGKILLs it if the child does not acknowledge within ~30 ms (under load, it often does not)
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const output: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    cleanups.push(async () => killGroup(child));

    const url = `http://127.0.0.1:${port}`;
    await pollUntil(
      'the server to answer /healthz',
      async () => {
        try {
          return (await fetch(`${url}/healthz`)).status;
        } catch {
          return 0;
        }
      },
      (status) => status === 200,
      60_000,
    );
    const client = createAnalysisClient({ url, WebSocket });
    try {
      const run = await client.analysis.start.mutate({
        kind: 'neuron-activation-stats',
        input: { layers: 8, neuronsPerLayer: 512, samples: 6000, seed: 3 },
      });
      const running = await pollUntil(
        'the run to start',
        () => client.analysis.get.query({ runId: run.id }),
        (snapshot) => snapshot.status !== 'queued',
      );
      expect(running.status).toBe('running');
      child.kill('SIGTERM');
      const { code, signal } = await exited;
      expect({ code, signal }, output.join('')).toEqual({ code: 0, signal: null });

      const database = await open(testDatabase.url);
      const row = await database.db.run.findUniqueOrThrow({ where: { id: run.id } });
      expect(row.status).toBe('queued');
      expect(row.attempt).toBe(2);
      expect(row.progress).toBe(0);
      expect(row.workerId).toBeNull();
      const stored = await database.db.runEvent.findMany({ where: { runId: run.id }, orderBy: { seq: 'asc' } });
      expect(stored.map((event) => event.seq)).toEqual(stored.map((_event, index) => index + 1));
      expect(stored.at(-1)?.type).toBe('queued');
      expect(stored.at(-1)?.seq).toBe(row.seq);
    } finally {
      closeAnalysisClient(client);
    }
  });
});

/** Ids in the order the runs started (one slot: a run starts after the previous one finished). */
function byExecutionOrder(runs: readonly Snapshot[]): string[] {
  const key = (run: Snapshot) => [run.startedAt?.getTime() ?? 0, run.finishedAt?.getTime() ?? 0] as const;
  return [...runs].sort((x, y) => key(x)[0] - key(y)[0] || key(x)[1] - key(y)[1]).map((run) => run.id);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Ends the process group this test spawned, if it is still there. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
