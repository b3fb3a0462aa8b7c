import type { RunStatus } from '../../../shared/run.ts';
import type { RunRow } from '../interfaces.ts';

/** A run row as the raw drivers return it (SQLite: text dates, 0/1 booleans, JSON text). */
export type RawRunRow = Record<keyof RunRow, unknown>;

/**
 * SQLite DATETIME text: Prisma writes `…T…+00:00`; a value from a
 * `CURRENT_TIMESTAMP` default has no zone, and is UTC too.
 */
function sqliteDateOf(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const text = value;
  return new Date(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

function jsonOf(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : (value ?? null);
}

/** Column values that are the same on both drivers once decoded. */
function commonFields(raw: RawRunRow) {
  return {
    id: raw.id as string,
    ownerId: raw.ownerId as string,
    kind: raw.kind as string,
    status: raw.status as RunStatus,
    progress: Number(raw.progress),
    stageIndex: raw.stageIndex as number | null,
    stepCurrent: raw.stepCurrent as number | null,
    stepTotal: raw.stepTotal as number | null,
    message: raw.message as string | null,
    etaMs: raw.etaMs as number | null,
    errorCode: raw.errorCode as string | null,
    errorMessage: raw.errorMessage as string | null,
    cancelReason: raw.cancelReason as string | null,
    idempotencyKey: raw.idempotencyKey as string | null,
    attempt: raw.attempt as number,
    maxAttempts: raw.maxAttempts as number,
    seq: raw.seq as number,
    workerId: raw.workerId as string | null,
  };
}

export function runRowFromSqlite(raw: RawRunRow): RunRow {
  return {
    ...commonFields(raw),
    input: jsonOf(raw.input),
    result: jsonOf(raw.result),
    stages: jsonOf(raw.stages),
    cancelRequested: raw.cancelRequested === 1 || raw.cancelRequested === true,
    createdAt: sqliteDateOf(raw.createdAt)!,
    startedAt: sqliteDateOf(raw.startedAt),
    finishedAt: sqliteDateOf(raw.finishedAt),
    updatedAt: sqliteDateOf(raw.updatedAt)!,
    heartbeatAt: sqliteDateOf(raw.heartbeatAt),
  };
}

/** PostgreSQL: `pg` has decoded jsonb and booleans; timestamps arrive as Dates (see `PostgresConnection`). */
export function runRowFromPostgres(raw: RawRunRow): RunRow {
  return {
    ...commonFields(raw),
    input: raw.input,
    result: raw.result ?? null,
    stages: raw.stages,
    cancelRequested: raw.cancelRequested as boolean,
    createdAt: raw.createdAt as Date,
    startedAt: raw.startedAt as Date | null,
    finishedAt: raw.finishedAt as Date | null,
    updatedAt: raw.updatedAt as Date,
    heartbeatAt: raw.heartbeatAt as Date | null,
  };
}
