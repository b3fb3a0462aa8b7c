import type { Store } from '../../db/client.ts';
import type { BatchedStatement } from '../../db/postgres-connection.ts';
import type { RunRow, StoredStage } from '../interfaces.ts';
import { fullPatch } from '../snapshot-patch.ts';
import { snapshotFromRow } from '../snapshot.ts';
import { jsonText, postgresDate, sqliteDate } from './sql-values.ts';

export interface NewRun {
  id: string;
  ownerId: string;
  kind: string;
  input: unknown;
  stages: StoredStage[];
  idempotencyKey: string | null;
  maxAttempts: number;
  now: Date;
}

/** The row as a read would return it: `input` as the JSON that was stored. */
function queuedRow(run: NewRun, inputJson: string): RunRow {
  return {
    id: run.id,
    ownerId: run.ownerId,
    kind: run.kind,
    status: 'queued',
    input: JSON.parse(inputJson) as unknown,
    result: null,
    progress: 0,
    stages: run.stages,
    stageIndex: null,
    stepCurrent: null,
    stepTotal: null,
    message: null,
    etaMs: null,
    errorCode: null,
    errorMessage: null,
    cancelRequested: false,
    cancelReason: null,
    idempotencyKey: run.idempotencyKey,
    attempt: 1,
    maxAttempts: run.maxAttempts,
    seq: 1,
    workerId: null,
    createdAt: run.now,
    startedAt: null,
    finishedAt: null,
    updatedAt: run.now,
    heartbeatAt: null,
  };
}

const columns = `"id", "ownerId", "kind", "status", "input", "stages", "idempotencyKey", "maxAttempts", "seq", "createdAt", "updatedAt"`;

const sqliteInsertRun = `INSERT INTO "analysis_runs" (${columns}) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, 1, ?, ?)`;
const sqliteInsertEvent = `INSERT INTO "analysis_run_events" ("runId", "seq", "type", "at", "patch") VALUES (?, 1, 'queued', ?, ?)`;

interface PostgresNewRun {
  run: NewRun;
  inputJson: string;
  patch: string;
}

const postgresInsert = {
  name: 'analysis_runs_create',
  text: `WITH r AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::jsonb[], $6::text[], $7::integer[], $8::timestamp(3)[], $9::jsonb[])
    AS r("id", "ownerId", "kind", "input", "stages", "idempotencyKey", "maxAttempts", "at", "patch")
), created AS (
  INSERT INTO "analysis_runs" (${columns})
  SELECT "id", "ownerId", "kind", 'queued', "input", "stages", "idempotencyKey", "maxAttempts", 1, "at", "at" FROM r
  RETURNING "id"
)
INSERT INTO "analysis_run_events" ("runId", "seq", "type", "at", "patch")
SELECT r."id", 1, 'queued', r."at", r."patch" FROM r JOIN created ON created."id" = r."id"`,
};

/** The starts of one turn (a client's batch of `analysis.start` calls) as one statement. */
const batchedInsertPostgres: BatchedStatement<PostgresNewRun, void> = {
  name: 'create-runs',
  keyOf: ({ run }) => (run.idempotencyKey === null ? run.id : `${run.ownerId}\u0000${run.idempotencyKey}`),
  async run(query, items) {
    await query(postgresInsert, [
      items.map(({ run }) => run.id),
      items.map(({ run }) => run.ownerId),
      items.map(({ run }) => run.kind),
      items.map(({ inputJson }) => inputJson),
      items.map(({ run }) => jsonText(run.stages)),
      items.map(({ run }) => run.idempotencyKey),
      items.map(({ run }) => run.maxAttempts),
      items.map(({ run }) => postgresDate(run.now)),
      items.map(({ patch }) => patch),
    ]);
    return items.map(() => undefined);
  },
};

function isUniqueViolation(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

/**
 * Inserts a queued run and its first event (`queued`, seq 1) together. With an
 * idempotency key already used by this owner, returns that run instead: the
 * unique index decides races between concurrent starts.
 */
export async function createRun(store: Store, run: NewRun): Promise<{ row: RunRow; created: boolean }> {
  const inputJson = jsonText(run.input);
  const row = queuedRow(run, inputJson);
  const patch = jsonText(fullPatch(snapshotFromRow(row)));
  const { sql } = store;
  try {
    if (sql.provider === 'sqlite') {
      const at = sqliteDate(run.now);
      await sql.write(() => {
        sql.run(sqliteInsertRun, [
          run.id,
          run.ownerId,
          run.kind,
          inputJson,
          jsonText(run.stages),
          run.idempotencyKey,
          run.maxAttempts,
          at,
          at,
        ]);
        sql.run(sqliteInsertEvent, [run.id, at, patch]);
      });
    } else {
      await sql.inBatch(batchedInsertPostgres, { run, inputJson, patch });
    }
    return { row, created: true };
  } catch (error) {
    if (run.idempotencyKey === null || !isUniqueViolation(error)) throw error;
    const existing = await store.db.run.findUnique({
      where: { ownerId_idempotencyKey: { ownerId: run.ownerId, idempotencyKey: run.idempotencyKey } },
    });
    if (!existing) throw error;
    return { row: existing, created: false };
  }
}
