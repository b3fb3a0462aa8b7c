import type { PostgresTransaction } from '../../db/postgres-connection.ts';
import type { SqliteConnection } from '../../db/sqlite-connection.ts';
import type { RunGuard, RunSnapshot, StoredStage, TimelineEntry } from '../interfaces.ts';
import { quoted, snapshotColumns, snapshotValues } from './run-columns.ts';
import { jsonText, postgresDate, sqliteBoolean, sqliteDate } from './sql-values.ts';

export interface Transition {
  runId: string;
  /** the write applies only if the row still matches */
  guard: RunGuard;
  /** the run after the last entry */
  snapshot: RunSnapshot;
  /** events not stored yet (all of this run), the transition's own event last */
  entries: readonly TimelineEntry[];
  stages?: readonly StoredStage[];
  /** the lease holder after the transition (`null` releases it) */
  workerId?: string | null;
}

function guardStatuses(guard: RunGuard): string[] {
  return typeof guard.status === 'string' ? [guard.status] : [...guard.status];
}

const sqliteUpdate = `UPDATE "analysis_runs" SET ${snapshotColumns.map((column) => `${quoted(column)} = @${column}`).join(', ')},
  "result" = COALESCE(@result, "result"),
  "stages" = COALESCE(@stages, "stages"),
  "workerId" = CASE WHEN @setWorkerId THEN @workerId ELSE "workerId" END
WHERE "id" = @id
  AND "status" IN (SELECT value FROM json_each(@guardStatuses))
  AND (@guardAttempt IS NULL OR "attempt" = @guardAttempt)
  AND (@guardCancelRequested IS NULL OR "cancelRequested" = @guardCancelRequested)
  AND (@guardSeq IS NULL OR "seq" = @guardSeq)
  AND (@guardWorkerId IS NULL OR "workerId" = @guardWorkerId)`;

const sqliteInsertEvent = `INSERT INTO "analysis_run_events" ("runId", "seq", "type", "at", "patch") VALUES (?, ?, ?, ?, ?)`;

function sqliteValue(value: unknown): unknown {
  if (value instanceof Date) return sqliteDate(value);
  if (typeof value === 'boolean') return sqliteBoolean(value);
  return value;
}

/** Inserts a run's new events; call inside a transaction. */
export function insertEventsSqlite(sql: SqliteConnection, entries: readonly TimelineEntry[]): void {
  for (const { event, patch } of entries) {
    sql.run(sqliteInsertEvent, [event.runId, event.seq, event.type, sqliteDate(event.at), jsonText(patch)]);
  }
}

/**
 * The guarded row update and, if it applied, the events. Synchronous: call
 * inside `sql.write`, where nothing else can interleave.
 */
export function applyTransitionSqlite(sql: SqliteConnection, transition: Transition): boolean {
  const { snapshot, guard } = transition;
  const values = snapshotValues(snapshot, sqliteValue);
  const params: Record<string, unknown> = {
    id: transition.runId,
    result: snapshot.result === null ? null : jsonText(snapshot.result),
    stages: transition.stages ? jsonText(transition.stages) : null,
    setWorkerId: transition.workerId === undefined ? 0 : 1,
    workerId: transition.workerId ?? null,
    guardStatuses: jsonText(guardStatuses(guard)),
    guardAttempt: guard.attempt ?? null,
    guardCancelRequested: sqliteBoolean(guard.cancelRequested ?? null),
    guardSeq: guard.seq ?? null,
    guardWorkerId: guard.workerId ?? null,
  };
  snapshotColumns.forEach((column, index) => (params[column] = values[index]));
  if (sql.run(sqliteUpdate, [params]) !== 1) return false;
  insertEventsSqlite(sql, transition.entries);
  return true;
}

const postgresSnapshotTypes: Record<(typeof snapshotColumns)[number], string> = {
  status: '"RunStatus"',
  progress: 'double precision',
  stageIndex: 'integer',
  stepCurrent: 'double precision',
  stepTotal: 'double precision',
  message: 'text',
  etaMs: 'integer',
  errorCode: 'text',
  errorMessage: 'text',
  cancelRequested: 'boolean',
  cancelReason: 'text',
  attempt: 'integer',
  seq: 'integer',
  startedAt: 'timestamp(3)',
  finishedAt: 'timestamp(3)',
  updatedAt: 'timestamp(3)',
  heartbeatAt: 'timestamp(3)',
};

const first = snapshotColumns.length + 2; // $1 is the id, then the snapshot columns
const postgresCommit = {
  name: 'analysis_runs_commit_transition',
  text: `WITH updated AS (
  UPDATE "analysis_runs" SET ${snapshotColumns
    .map((column, index) => `${quoted(column)} = $${index + 2}::${postgresSnapshotTypes[column]}`)
    .join(', ')},
    "result" = COALESCE($${first}::jsonb, "result"),
    "stages" = COALESCE($${first + 1}::jsonb, "stages"),
    "workerId" = CASE WHEN $${first + 2}::boolean THEN $${first + 3}::text ELSE "workerId" END
  WHERE "id" = $1
    AND "status" = ANY($${first + 4}::"RunStatus"[])
    AND ($${first + 5}::integer IS NULL OR "attempt" = $${first + 5}::integer)
    AND ($${first + 6}::boolean IS NULL OR "cancelRequested" = $${first + 6}::boolean)
    AND ($${first + 7}::integer IS NULL OR "seq" = $${first + 7}::integer)
    AND ($${first + 8}::text IS NULL OR "workerId" = $${first + 8}::text)
  RETURNING 1
), inserted AS (
  INSERT INTO "analysis_run_events" ("runId", "seq", "type", "at", "patch")
  SELECT $1, event.seq, event.type, event.at, event.patch
  FROM unnest($${first + 9}::integer[], $${first + 10}::text[], $${first + 11}::timestamp(3)[], $${first + 12}::jsonb[])
    AS event(seq, type, at, patch)
  WHERE EXISTS (SELECT 1 FROM updated)
)
SELECT count(*)::integer AS "updated" FROM updated`,
};

function postgresValue(value: unknown): unknown {
  return value instanceof Date ? postgresDate(value) : value;
}

/**
 * The guarded row update and its events as one statement: atomic on its own,
 * one round trip; `query` may be the pool or an open transaction.
 */
export async function applyTransitionPostgres(query: PostgresTransaction, transition: Transition): Promise<boolean> {
  const { snapshot, guard, entries } = transition;
  const result = await query<{ updated: number }>(postgresCommit, [
    transition.runId,
    ...snapshotValues(snapshot, postgresValue),
    snapshot.result === null ? null : jsonText(snapshot.result),
    transition.stages ? jsonText(transition.stages) : null,
    transition.workerId !== undefined,
    transition.workerId ?? null,
    guardStatuses(guard),
    guard.attempt ?? null,
    guard.cancelRequested ?? null,
    guard.seq ?? null,
    guard.workerId ?? null,
    entries.map(({ event }) => event.seq),
    entries.map(({ event }) => event.type),
    entries.map(({ event }) => postgresDate(event.at)),
    entries.map(({ patch }) => jsonText(patch)),
  ]);
  return result.rows[0]?.updated === 1;
}
