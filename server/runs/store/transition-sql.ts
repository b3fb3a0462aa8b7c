import type { BatchedStatement, PostgresQuery } from '../../db/postgres-connection.ts';
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

/** rows per INSERT: one cached statement per row count up to this */
const eventsPerInsert = 64;

function sqliteInsertEvents(rows: number): string {
  const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ');
  return `INSERT INTO "analysis_run_events" ("runId", "seq", "type", "at", "patch") VALUES ${values}`;
}

function sqliteValue(value: unknown): unknown {
  if (value instanceof Date) return sqliteDate(value);
  if (typeof value === 'boolean') return sqliteBoolean(value);
  return value;
}

/**
 * Inserts events with one statement per 64 (the write count `/healthz` and
 * `npm run bench` report is per statement); call inside a transaction.
 */
function insertEventsSqlite(sql: SqliteConnection, entries: readonly TimelineEntry[]): void {
  for (let start = 0; start < entries.length; start += eventsPerInsert) {
    const chunk = entries.slice(start, start + eventsPerInsert);
    const params = chunk.flatMap(({ event, patch }) => [
      event.runId,
      event.seq,
      event.type,
      sqliteDate(event.at),
      jsonText(patch),
    ]);
    sql.run(sqliteInsertEvents(chunk.length), params);
  }
}

function updateRunSqlite(sql: SqliteConnection, transition: Transition): boolean {
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
  return sql.run(sqliteUpdate, [params]) === 1;
}

/**
 * Each transition's guarded row update, then the events of those that
 * applied. Synchronous: call inside `sql.write`, where nothing else can
 * interleave. Returns whether each applied.
 */
export function applyTransitionsSqlite(sql: SqliteConnection, transitions: readonly Transition[]): boolean[] {
  const applied = transitions.map((transition) => updateRunSqlite(sql, transition));
  insertEventsSqlite(
    sql,
    transitions.flatMap((transition, index) => (applied[index] ? transition.entries : [])),
  );
  return applied;
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

/** The transitions' columns as parallel arrays, in the order `postgresTransitions` unnests them. */
const transitionArrays = [
  ['id', 'text'],
  ...snapshotColumns.map((column) => [column, postgresSnapshotTypes[column]] as const),
  ['result', 'jsonb'],
  ['stages', 'jsonb'],
  ['setWorkerId', 'boolean'],
  ['workerId', 'text'],
  ['guardStatuses', 'text'],
  ['guardAttempt', 'integer'],
  ['guardCancelRequested', 'boolean'],
  ['guardSeq', 'integer'],
  ['guardWorkerId', 'text'],
  ['n', 'integer'],
] as const;
const eventArrays = [
  ['n', 'integer'],
  ['seq', 'integer'],
  ['type', 'text'],
  ['at', 'timestamp(3)'],
  ['patch', 'jsonb'],
] as const;

function unnest(arrays: ReadonlyArray<readonly [string, string]>, firstParam: number, alias: string): string {
  const params = arrays.map(([, type], index) => `$${firstParam + index}::${type}[]`).join(', ');
  const names = arrays.map(([name]) => quoted(name)).join(', ');
  return `unnest(${params}) AS ${alias}(${names})`;
}

const postgresTransitions = {
  name: 'analysis_runs_transitions',
  text: `WITH t AS (
  SELECT * FROM ${unnest(transitionArrays, 1, 't')}
), updated AS (
  UPDATE "analysis_runs" AS r SET ${snapshotColumns.map((column) => `${quoted(column)} = t.${quoted(column)}`).join(', ')},
    "result" = COALESCE(t."result", r."result"),
    "stages" = COALESCE(t."stages", r."stages"),
    "workerId" = CASE WHEN t."setWorkerId" THEN t."workerId" ELSE r."workerId" END
  FROM t
  WHERE r."id" = t."id"
    AND r."status"::text = ANY(string_to_array(t."guardStatuses", ','))
    AND (t."guardAttempt" IS NULL OR r."attempt" = t."guardAttempt")
    AND (t."guardCancelRequested" IS NULL OR r."cancelRequested" = t."guardCancelRequested")
    AND (t."guardSeq" IS NULL OR r."seq" = t."guardSeq")
    AND (t."guardWorkerId" IS NULL OR r."workerId" = t."guardWorkerId")
  RETURNING t."n", t."id"
), inserted AS (
  INSERT INTO "analysis_run_events" ("runId", "seq", "type", "at", "patch")
  SELECT updated."id", e."seq", e."type", e."at", e."patch"
  FROM ${unnest(eventArrays, transitionArrays.length + 1, 'e')} JOIN updated ON updated."n" = e."n"
)
SELECT "n" FROM updated`,
};

function postgresValue(value: unknown): unknown {
  return value instanceof Date ? postgresDate(value) : value;
}

/**
 * Many transitions (of different runs) as one statement: each row's guarded
 * update, and the events of the rows that applied; atomic, one round trip.
 * Returns whether each applied.
 */
export async function applyTransitionsPostgres(
  query: PostgresQuery,
  transitions: readonly Transition[],
): Promise<boolean[]> {
  const columns: unknown[][] = transitionArrays.map(() => []);
  const events: unknown[][] = eventArrays.map(() => []);
  transitions.forEach((transition, n) => {
    const { snapshot, guard } = transition;
    const row = [
      transition.runId,
      ...snapshotValues(snapshot, postgresValue),
      snapshot.result === null ? null : jsonText(snapshot.result),
      transition.stages ? jsonText(transition.stages) : null,
      transition.workerId !== undefined,
      transition.workerId ?? null,
      guardStatuses(guard).join(','),
      guard.attempt ?? null,
      guard.cancelRequested ?? null,
      guard.seq ?? null,
      guard.workerId ?? null,
      n,
    ];
    row.forEach((value, index) => columns[index]!.push(value));
    for (const { event, patch } of transition.entries) {
      [n, event.seq, event.type, postgresDate(event.at), jsonText(patch)].forEach((value, index) =>
        events[index]!.push(value),
      );
    }
  });
  const result = await query<{ n: number }>(postgresTransitions, [...columns, ...events]);
  const applied = new Set(result.rows.map((row) => row.n));
  return transitions.map((_, n) => applied.has(n));
}

/** Transitions asked for in the same turn share one statement (see `PostgresConnection.inBatch`). */
export const batchedTransitionsPostgres: BatchedStatement<Transition, boolean> = {
  name: 'transitions',
  keyOf: (transition) => transition.runId,
  run: applyTransitionsPostgres,
};
