import type { Store } from '../../db/client.ts';
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

function queuedRow(run: NewRun): RunRow {
  return {
    id: run.id,
    ownerId: run.ownerId,
    kind: run.kind,
    status: 'queued',
    input: run.input,
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

const postgresInsert = {
  name: 'analysis_runs_create',
  text: `WITH created AS (
  INSERT INTO "analysis_runs" (${columns})
  VALUES ($1, $2, $3, 'queued', $4::jsonb, $5::jsonb, $6, $7, 1, $8::timestamp(3), $8::timestamp(3))
  RETURNING "id"
)
INSERT INTO "analysis_run_events" ("runId", "seq", "type", "at", "patch")
SELECT "id", 1, 'queued', $8::timestamp(3), $9::jsonb FROM created`,
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
  const row = queuedRow(run);
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
          jsonText(run.input),
          jsonText(run.stages),
          run.idempotencyKey,
          run.maxAttempts,
          at,
          at,
        ]);
        sql.run(sqliteInsertEvent, [run.id, at, patch]);
      });
    } else {
      await sql.query(postgresInsert, [
        run.id,
        run.ownerId,
        run.kind,
        jsonText(run.input),
        jsonText(run.stages),
        run.idempotencyKey,
        run.maxAttempts,
        postgresDate(run.now),
        patch,
      ]);
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
