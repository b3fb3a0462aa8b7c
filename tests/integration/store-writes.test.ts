import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, sqliteFileOf, type DatabaseProvider, type OpenDatabase } from '../../server/db/client.ts';
import { migrateDatabase } from '../../server/db/migrate.ts';
import type { SqliteConnection } from '../../server/db/sqlite-connection.ts';
import type { RunRow, StoredStage } from '../../server/runs/interfaces.ts';
import { newRunId } from '../../server/runs/run-id.ts';
import { fullPatch } from '../../server/runs/snapshot-patch.ts';
import { snapshotFromRow, storedStages } from '../../server/runs/snapshot.ts';
import {
  commitTransition,
  createRun,
  getRun,
  listQueuedRuns,
  type NewRun,
  type Transition,
} from '../../server/runs/store/index.ts';
import { enterStage, startedSnapshot, timelineEntry } from '../../server/runs/transitions.ts';
import { createTestDatabase, providers } from '../support/databases.ts';
import { waitFor } from '../support/wait.ts';

/**
 * The run store writes through the raw drivers (better-sqlite3, pg) and reads
 * history through Prisma: these tests hold the two to the same rows, and
 * check the write paths' batching (group commit, one statement per task).
 */

const repoRoot = path.resolve(import.meta.dirname, '../..');

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

interface TestStore {
  store: OpenDatabase;
  url: string;
  /** closes the store once (later calls wait for the same close) */
  close: () => Promise<void>;
}

/** A migrated database of its own, opened; closed and dropped after the test. */
async function freshStore(provider: DatabaseProvider): Promise<TestStore> {
  const database = await createTestDatabase(provider);
  cleanups.push(() => database.drop());
  await migrateDatabase(database.url, { log: () => {} });
  const store = await openDatabase(database.url);
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= store.close());
  cleanups.push(close);
  return { store, url: database.url, close };
}

const stageDefinitions: StoredStage[] = [
  { key: 'load', label: 'Load ✓', weight: 1, status: 'pending', startedAt: null, finishedAt: null },
  { key: 'compute', label: 'Berechnen – 計算', weight: 2.5, status: 'pending', startedAt: null, finishedAt: null },
];

function newRun(overrides: Partial<NewRun> = {}): NewRun {
  return {
    id: newRunId(),
    ownerId: 'owner-1',
    kind: 'store-test',
    input: { n: 1 },
    stages: stageDefinitions,
    idempotencyKey: null,
    maxAttempts: 1,
    now: new Date(),
    ...overrides,
  };
}

/** What a runner claiming `row` writes: `started`, first stage entered, leased by `workerId`. */
function startTransition(row: RunRow, now: Date, workerId: string) {
  const before = snapshotFromRow(row);
  const stages = enterStage(storedStages(row), 0, now);
  const after = {
    ...startedSnapshot(before, now),
    progress: 12.5,
    stage: { key: 'load', label: 'Load ✓', index: 0, count: stages.length },
    step: { current: 2.5, total: 10 },
    message: 'läuft… 🚀 "quoted" \\ back',
    etaMs: 1234,
  };
  const entry = timelineEntry('started', before, after);
  const transition: Transition = {
    runId: row.id,
    guard: { status: 'queued', seq: row.seq },
    snapshot: after,
    entries: [entry],
    stages,
    workerId,
  };
  return { transition, entry, after, stages };
}

const dateColumns = new Set<string>(['createdAt', 'startedAt', 'finishedAt', 'updatedAt', 'heartbeatAt']);
const jsonColumns = new Set<string>(['input', 'result', 'stages']);

/** Field by field: Dates by instant, JSON deeply, everything else by identity (type included). */
function expectSameRow(raw: RunRow, viaPrisma: RunRow): void {
  expect(Object.keys(raw).sort()).toEqual(Object.keys(viaPrisma).sort());
  for (const key of Object.keys(viaPrisma) as Array<keyof RunRow>) {
    const actual = raw[key];
    const expected = viaPrisma[key];
    if (dateColumns.has(key)) {
      if (expected === null) {
        expect(actual, key).toBeNull();
      } else {
        expect(actual, key).toBeInstanceOf(Date);
        expect(expected, key).toBeInstanceOf(Date);
        expect((actual as Date).getTime(), key).toBe((expected as Date).getTime());
      }
    } else if (jsonColumns.has(key)) {
      expect(actual, key).toStrictEqual(expected);
    } else {
      expect(actual, key).toBe(expected);
    }
  }
}

function jsonRoundTrip(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

async function withTimeZone<T>(timeZone: string, body: () => Promise<T>): Promise<T> {
  const previous = process.env.TZ;
  process.env.TZ = timeZone;
  try {
    // the process really reads local time in `timeZone` now (January: EST, UTC-5)
    expect(new Date(Date.UTC(2024, 0, 15)).getTimezoneOffset()).toBe(300);
    return await body();
  } finally {
    if (previous === undefined) delete process.env.TZ;
    else process.env.TZ = previous;
  }
}

const nestedInput = {
  nested: { list: [1, 2.5, -3e-7, null, true, false, 'x', [[], {}]], deep: { a: { b: { c: ['ü', '日本語', '🧪'] } } } },
  ключ: 'значение',
  text: 'quote " backslash \\ newline \n tab \t separator \u2028 end',
  emoji: '👩‍🔬🧬',
  big: 1e21,
  fraction: 0.1 + 0.2,
  negative: -42,
  empty: {},
  emptyList: [],
  none: null,
};

/**
 * Creates a run, starts it, and checks the raw reads against Prisma's and
 * against what was written. Timestamps that do not exist in New York's local
 * time (DST gap) and carry milliseconds.
 */
async function expectRoundTrip(store: OpenDatabase, label: string): Promise<string> {
  const createdAt = new Date('2024-03-10T02:30:00.123Z');
  const startedAt = new Date('2024-11-03T05:45:59.987Z');
  const created = await createRun(
    store,
    newRun({ input: nestedInput, idempotencyKey: `key-${label}-ü`, maxAttempts: 3, now: createdAt }),
  );
  expect(created.created).toBe(true);
  const id = created.row.id;

  // the queued row, raw (getRun and the queue read) and through Prisma
  const queuedViaPrisma = await store.db.run.findUniqueOrThrow({ where: { id } });
  expect(queuedViaPrisma.status).toBe('queued');
  expect(queuedViaPrisma.seq).toBe(1);
  expect(queuedViaPrisma.createdAt.getTime()).toBe(createdAt.getTime());
  expect(queuedViaPrisma.updatedAt.getTime()).toBe(createdAt.getTime());
  expectSameRow(created.row, queuedViaPrisma);
  expectSameRow((await getRun(store, id))!, queuedViaPrisma);
  const queued = (await listQueuedRuns(store, 100)).find((row) => row.id === id);
  expect(queued).toBeDefined();
  expectSameRow(queued!, queuedViaPrisma);

  const { transition, entry, stages } = startTransition(created.row, startedAt, `worker-α-${label}`);
  expect(await commitTransition(store, transition)).toBe(true);

  const raw = await getRun(store, id);
  const viaPrisma = await store.db.run.findUnique({ where: { id } });
  expect(raw).not.toBeNull();
  expect(viaPrisma).not.toBeNull();
  expectSameRow(raw!, viaPrisma!);

  // and both are what was written
  expect(viaPrisma).toMatchObject({
    id,
    ownerId: 'owner-1',
    kind: 'store-test',
    status: 'running',
    result: null,
    progress: 12.5,
    stageIndex: 0,
    stepCurrent: 2.5,
    stepTotal: 10,
    message: 'läuft… 🚀 "quoted" \\ back',
    etaMs: 1234,
    errorCode: null,
    errorMessage: null,
    cancelRequested: false,
    cancelReason: null,
    idempotencyKey: `key-${label}-ü`,
    attempt: 1,
    maxAttempts: 3,
    seq: 2,
    workerId: `worker-α-${label}`,
    finishedAt: null,
  });
  expect(viaPrisma!.input).toStrictEqual(nestedInput);
  expect(viaPrisma!.stages).toStrictEqual(jsonRoundTrip(stages));
  expect(storedStages(viaPrisma!)[0]).toMatchObject({
    status: 'running',
    startedAt: startedAt.toISOString(),
  });
  expect(viaPrisma!.createdAt.getTime()).toBe(createdAt.getTime());
  expect(viaPrisma!.startedAt?.getTime()).toBe(startedAt.getTime());
  expect(viaPrisma!.updatedAt.getTime()).toBe(startedAt.getTime());
  expect(viaPrisma!.heartbeatAt?.getTime()).toBe(startedAt.getTime());
  expect(raw!.startedAt?.getTime()).toBe(startedAt.getTime());

  const events = await store.db.runEvent.findMany({ where: { runId: id }, orderBy: { seq: 'asc' } });
  expect(events.map((event) => [event.seq, event.type])).toEqual([
    [1, 'queued'],
    [2, 'started'],
  ]);
  expect(events[0]!.at.getTime()).toBe(createdAt.getTime());
  expect(events[1]!.at.getTime()).toBe(startedAt.getTime());
  expect(events[0]!.patch).toStrictEqual(jsonRoundTrip(fullPatch(snapshotFromRow(created.row))));
  expect(events[0]!.patch).toMatchObject({
    id,
    status: 'queued',
    seq: 1,
    createdAt: createdAt.toISOString(),
    input: nestedInput,
  });
  expect(events[1]!.patch).toStrictEqual(jsonRoundTrip(entry.patch));
  expect(events[1]!.patch).toMatchObject({
    status: 'running',
    seq: 2,
    startedAt: startedAt.toISOString(),
    updatedAt: startedAt.toISOString(),
    message: 'läuft… 🚀 "quoted" \\ back',
  });
  return id;
}

describe.each(providers)('run store writes (%s)', (provider) => {
  it('rows written by the raw store read back identically through Prisma and through getRun', async () => {
    const { store } = await freshStore(provider);
    const first = await expectRoundTrip(store, 'utc');
    if (provider !== 'postgresql') return;
    await withTimeZone('America/New_York', async () => {
      // written before, read now: still the same instants
      const raw = await getRun(store, first);
      const viaPrisma = await store.db.run.findUniqueOrThrow({ where: { id: first } });
      expectSameRow(raw!, viaPrisma);
      expect(raw!.createdAt.toISOString()).toBe('2024-03-10T02:30:00.123Z');
      expect(raw!.startedAt?.toISOString()).toBe('2024-11-03T05:45:59.987Z');
      // written and read in New York time
      await expectRoundTrip(store, 'new-york');
    });
  });

  it('a transition whose guard no longer matches writes nothing', async () => {
    const { store } = await freshStore(provider);
    const { row } = await createRun(store, newRun());
    const at = new Date();
    const { transition } = startTransition(row, at, 'worker-1');
    const stale: Array<Transition['guard']> = [
      { status: 'queued', seq: 2 },
      { status: 'running', seq: 1 },
      { status: ['running', 'completed'] },
      { status: 'queued', attempt: 2 },
      { status: 'queued', cancelRequested: true },
      { status: 'queued', workerId: 'somebody-else' },
    ];
    for (const guard of stale) {
      expect(await commitTransition(store, { ...transition, guard }), JSON.stringify(guard)).toBe(false);
    }
    const untouched = await store.db.run.findUniqueOrThrow({ where: { id: row.id } });
    expectSameRow(untouched, row);
    expect(await store.db.runEvent.count({ where: { runId: row.id } })).toBe(1);

    expect(await commitTransition(store, { ...transition, guard: { status: ['queued', 'running'], seq: 1 } })).toBe(
      true,
    );
    // the same transition again: seq 1 is gone, so is the row's `queued`
    expect(await commitTransition(store, transition)).toBe(false);
    const events = await store.db.runEvent.findMany({ where: { runId: row.id }, orderBy: { seq: 'asc' } });
    expect(events.map((event) => event.type)).toEqual(['queued', 'started']);
  });

  it('two claims of one run in the same task: exactly one wins', async () => {
    const { store } = await freshStore(provider);
    const { row } = await createRun(store, newRun());
    const at = new Date();
    const claims = await Promise.all(
      ['worker-a', 'worker-b', 'worker-c'].map((workerId) =>
        commitTransition(store, startTransition(row, at, workerId).transition),
      ),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    const winner = ['worker-a', 'worker-b', 'worker-c'][claims.indexOf(true)];
    const stored = await store.db.run.findUniqueOrThrow({ where: { id: row.id } });
    expect(stored.workerId).toBe(winner);
    expect(stored.seq).toBe(2);
    const events = await store.db.runEvent.findMany({ where: { runId: row.id }, orderBy: { seq: 'asc' } });
    expect(events.map((event) => event.type)).toEqual(['queued', 'started']);
  });

  it('writes asked for one after the other, in different tasks, apply in that order', async () => {
    const { store } = await freshStore(provider);
    for (let attempt = 0; attempt < 10; attempt++) {
      const { row } = await createRun(store, newRun());
      const at = new Date();
      const { transition: claim, after } = startTransition(row, at, 'worker-a');
      const first = commitTransition(store, claim); // not awaited: the next is asked for in a later task
      await new Promise((resolve) => setImmediate(resolve));
      const progress = { ...after, progress: 50, seq: after.seq + 1 };
      const second = commitTransition(store, {
        runId: row.id,
        guard: { status: 'running', seq: after.seq, workerId: 'worker-a' },
        snapshot: progress,
        entries: [timelineEntry('progress', after, progress)],
      });
      expect(await Promise.all([first, second])).toEqual([true, true]);
      expect((await getRun(store, row.id))?.seq).toBe(3);
    }
  });

  it('two starts with one idempotency key in the same task create one run', async () => {
    const { store } = await freshStore(provider);
    const [a, b, other] = await Promise.all([
      createRun(store, newRun({ ownerId: 'alice', idempotencyKey: 'same', input: { attempt: 'a' } })),
      createRun(store, newRun({ ownerId: 'alice', idempotencyKey: 'same', input: { attempt: 'b' } })),
      // the key is per owner
      createRun(store, newRun({ ownerId: 'bob', idempotencyKey: 'same' })),
    ]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    const [winner, loser] = a.created ? [a, b] : [b, a];
    expect(loser.row.id).toBe(winner.row.id);
    expect(loser.row.input).toStrictEqual(winner.row.input);
    expect(other.created).toBe(true);
    expect(other.row.id).not.toBe(winner.row.id);

    const alices = await store.db.run.findMany({ where: { ownerId: 'alice' } });
    expect(alices.map((run) => run.id)).toEqual([winner.row.id]);
    expectSameRow(loser.row, alices[0]!);
    expect(await store.db.runEvent.count({ where: { run: { ownerId: 'alice' } } })).toBe(1);
    expect(await store.db.run.count({ where: { ownerId: 'bob' } })).toBe(1);

    // a replay among fresh starts of one task: only the replay returns the stored run
    const [replay, fresh1, fresh2] = await Promise.all([
      createRun(store, newRun({ ownerId: 'alice', idempotencyKey: 'same' })),
      createRun(store, newRun({ ownerId: 'alice', idempotencyKey: 'other' })),
      createRun(store, newRun({ ownerId: 'alice' })),
    ]);
    expect(replay).toMatchObject({ created: false, row: { id: winner.row.id } });
    expect(fresh1.created).toBe(true);
    expect(fresh2.created).toBe(true);
    expect(await store.db.run.count({ where: { ownerId: 'alice' } })).toBe(3);
  });
});

function sqliteOf(store: OpenDatabase): SqliteConnection {
  if (store.sql.provider !== 'sqlite') throw new Error('not SQLite');
  return store.sql;
}

const insertBareRun = `INSERT INTO "analysis_runs" ("id", "ownerId", "kind", "status", "input", "stages", "createdAt", "updatedAt")
VALUES (?, 'raw-owner', 'raw', 'queued', '{}', '[]', ?, ?)`;

describe('group commit (sqlite)', () => {
  it('50 writes asked for in one task commit once, all applied', async () => {
    const { store } = await freshStore('sqlite');
    const existing = await Promise.all(Array.from({ length: 25 }, () => createRun(store, newRun())));
    const at = new Date();

    const before = store.statements.commits;
    const [started, created] = await Promise.all([
      Promise.all(existing.map(({ row }, i) => commitTransition(store, startTransition(row, at, `w${i}`).transition))),
      Promise.all(Array.from({ length: 25 }, () => createRun(store, newRun({ ownerId: 'owner-2' })))),
    ]);
    expect(store.statements.commits - before).toBe(1);

    expect(started).toEqual(existing.map(() => true));
    expect(created.map((result) => result.created)).toEqual(created.map(() => true));
    expect(await store.db.run.count({ where: { status: 'running' } })).toBe(25);
    expect(await store.db.run.count({ where: { status: 'queued', ownerId: 'owner-2' } })).toBe(25);
    expect(await store.db.runEvent.count()).toBe(25 * 2 + 25);
  });

  it('a work that throws fails alone; the other writes of its group are stored', async () => {
    const { store } = await freshStore('sqlite');
    const sql = sqliteOf(store);
    const at = new Date().toISOString().replace('Z', '+00:00');
    const good = Array.from({ length: 6 }, (_, i) => `good-${i}`);

    const before = store.statements.commits;
    const writes = [
      ...good.slice(0, 3).map((id) => sql.write(() => sql.run(insertBareRun, [id, at, at]))),
      sql.write(() => {
        // its own insert must go with it
        sql.run(insertBareRun, ['bad', at, at]);
        throw new Error('x');
      }),
      ...good.slice(3).map((id) => sql.write(() => sql.run(insertBareRun, [id, at, at]))),
      sql.write(() => 'a value'),
    ];
    const outcomes = await Promise.allSettled(writes);

    expect(outcomes[3]).toMatchObject({ status: 'rejected', reason: { message: 'x' } });
    const others = outcomes.filter((_, index) => index !== 3);
    expect(others).toEqual([
      ...good.slice(0, 3).map(() => ({ status: 'fulfilled', value: 1 })),
      ...good.slice(3).map(() => ({ status: 'fulfilled', value: 1 })),
      { status: 'fulfilled', value: 'a value' },
    ]);
    // the group was rolled back, then each work committed on its own
    expect(store.statements.commits - before).toBe(good.length + 1);

    const stored = await store.db.run.findMany({ where: { ownerId: 'raw-owner' }, orderBy: { id: 'asc' } });
    expect(stored.map((run) => run.id)).toEqual(good);
    expect(await getRun(store, 'bad')).toBeNull();
    for (const id of good) expect((await getRun(store, id))?.kind).toBe('raw');

    // and the connection groups again afterwards
    const again = store.statements.commits;
    await Promise.all([createRun(store, newRun()), createRun(store, newRun())]);
    expect(store.statements.commits - again).toBe(1);
  });

  it('a constraint violation inside a group fails only its own write', async () => {
    const { store } = await freshStore('sqlite');
    const taken = newRun();
    await createRun(store, taken);
    const outcomes = await Promise.allSettled([
      createRun(store, newRun()),
      createRun(store, { ...newRun(), id: taken.id }), // primary key taken
      createRun(store, newRun()),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.db.run.count()).toBe(3);
    expect(await store.db.runEvent.count()).toBe(3);
  });
});

describe('batched writes (postgresql)', () => {
  it('50 starts of one task go to the database as a few statements, all stored', async () => {
    const { store } = await freshStore('postgresql');
    const runs = Array.from({ length: 50 }, (_, i) => newRun({ input: { i } }));

    const before = store.statements.commits;
    const created = await Promise.all(runs.map((run) => createRun(store, run)));
    const commits = store.statements.commits - before;
    expect(commits).toBeGreaterThanOrEqual(1);
    expect(commits).toBeLessThanOrEqual(5);

    expect(created.every((result) => result.created)).toBe(true);
    const stored = await store.db.run.findMany({ orderBy: { id: 'asc' } });
    expect(stored.map((run) => run.id)).toEqual(runs.map((run) => run.id).sort());
    for (const run of stored) expect(run.input).toStrictEqual({ i: runs.findIndex((r) => r.id === run.id) });
    expect(await store.db.runEvent.count({ where: { seq: 1, type: 'queued' } })).toBe(50);

    // their starts, one task: batched the same way
    const at = new Date();
    const beforeStarts = store.statements.commits;
    const started = await Promise.all(
      created.map(({ row }, i) => commitTransition(store, startTransition(row, at, `w${i}`).transition)),
    );
    expect(started.every(Boolean)).toBe(true);
    expect(store.statements.commits - beforeStarts).toBeLessThanOrEqual(5);
    expect(await store.db.run.count({ where: { status: 'running', seq: 2 } })).toBe(50);
    expect(await store.db.runEvent.count({ where: { seq: 2, type: 'started' } })).toBe(50);
  });

  it('an item PostgreSQL rejects (NUL in text) fails alone; the rest of its batch is stored', async () => {
    const { store } = await freshStore('postgresql');
    const runs = Array.from({ length: 10 }, () => newRun());
    runs[2] = newRun({ kind: 'bad\u0000kind' });
    runs[7] = newRun({ ownerId: 'bad\u0000owner' });

    const outcomes = await Promise.allSettled(runs.map((run) => createRun(store, run)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(
      runs.map((_, i) => (i === 2 || i === 7 ? 'rejected' : 'fulfilled')),
    );
    for (const i of [2, 7]) {
      expect(outcomes[i]).toMatchObject({ status: 'rejected', reason: { code: '22021' } });
    }

    const good = runs.filter((_, i) => i !== 2 && i !== 7).map((run) => run.id);
    const stored = await store.db.run.findMany({ orderBy: { id: 'asc' } });
    expect(stored.map((run) => run.id)).toEqual([...good].sort());
    expect(await store.db.runEvent.count()).toBe(good.length);
    for (const id of good) expect((await getRun(store, id))?.status).toBe('queued');
    for (const bad of [runs[2], runs[7]]) expect(await getRun(store, bad.id)).toBeNull();
  });
});

/** SQLite's shared-memory WAL index (`<db>-shm`), header fields in native (little-endian) byte order. */
function walIndex(file: string): { version: number; maxFrame: number; backfilled: number } {
  const header = readFileSync(`${file}-shm`).subarray(0, 136);
  return {
    version: header.readUInt32LE(0),
    /** frames of committed transactions in the WAL */
    maxFrame: header.readUInt32LE(16),
    /** frames already copied into the database file by a checkpoint */
    backfilled: header.readUInt32LE(96),
  };
}

describe('WAL checkpoints (sqlite)', () => {
  it('commits leave the WAL to the checkpoint thread, which copies it back; close stops it', async () => {
    const { store, url, close } = await freshStore('sqlite');
    const file = sqliteFileOf(url);
    const bulky = (i: number) => newRun({ input: { i, blob: 'x'.repeat(2000) } });

    // a commit far beyond 1000 pages: with automatic checkpoints (1000 pages)
    // it would have been checkpointed before the commit returned
    let written = 0;
    let justCommitted = walIndex(file);
    for (let attempt = 0; attempt < 3; attempt++) {
      justCommitted = await Promise.all(Array.from({ length: 1000 }, (_, i) => createRun(store, bulky(i)))).then(() =>
        walIndex(file),
      );
      written += 1000;
      expect(justCommitted.version).toBe(3007000);
      expect(justCommitted.maxFrame).toBeGreaterThan(1000);
      if (justCommitted.backfilled < justCommitted.maxFrame) break;
    }
    expect(justCommitted.backfilled).toBeLessThan(justCommitted.maxFrame);

    // nobody else checkpoints here: the worker copies everything within a few intervals
    await waitFor(
      () => {
        const now = walIndex(file);
        return now.maxFrame > 0 && now.backfilled === now.maxFrame;
      },
      { timeoutMs: 5000, what: 'the WAL to be checkpointed' },
    );

    // and keeps doing so: a small write afterwards (the WAL restarts or grows) is copied too
    const settled = walIndex(file);
    await createRun(store, newRun());
    written++;
    const small = walIndex(file);
    expect(small.maxFrame).toBeGreaterThan(0);
    expect(small.maxFrame).not.toBe(settled.maxFrame);
    await waitFor(
      () => {
        const now = walIndex(file);
        return now.backfilled === now.maxFrame;
      },
      { timeoutMs: 5000, what: 'the small write to be checkpointed' },
    );
    expect(await store.db.run.count()).toBe(written);

    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 5000)));
    expect(await Promise.race([close().then(() => 'closed' as const), hung])).toBe('closed');
    clearTimeout(timer);
  });

  it('a process that opens and closes a database exits on its own, with code 0', async () => {
    const database = await createTestDatabase('sqlite');
    cleanups.push(() => database.drop());
    await migrateDatabase(database.url, { log: () => {} });
    // the checkpoint thread is unref'd while it runs; closing must still wait for it (exit code 13 if not)
    const script = [
      `import { openDatabase } from ${JSON.stringify(path.join(repoRoot, 'server/db/client.ts'))};`,
      `const store = await openDatabase(${JSON.stringify(database.url)});`,
      'await store.close();',
      "console.log('closed');",
    ].join('\n');
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('closed');
    expect(child.status).toBe(0);
  });
});
