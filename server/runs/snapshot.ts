import type { RunSnapshotOf, RunStatus, StageStatus, StageTimeline } from '../../shared/run.ts';

export type RunSnapshot = RunSnapshotOf;

/** A stage as stored in the run row: the definition's key, label and weight plus its timeline. */
export interface StoredStage {
  key: string;
  label: string;
  weight: number;
  status: StageStatus;
  startedAt: string | null;
  finishedAt: string | null;
}

/** The columns of a run row that snapshots are made from (Prisma's row type fits it). */
export interface RunRow {
  id: string;
  ownerId: string;
  kind: string;
  status: RunStatus;
  input: unknown;
  result: unknown;
  progress: number;
  stages: unknown;
  stageIndex: number | null;
  stepCurrent: number | null;
  stepTotal: number | null;
  message: string | null;
  etaMs: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  cancelRequested: boolean;
  cancelReason: string | null;
  idempotencyKey: string | null;
  attempt: number;
  maxAttempts: number;
  seq: number;
  workerId: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
  heartbeatAt: Date | null;
}

export function storedStages(row: Pick<RunRow, 'stages'>): StoredStage[] {
  return Array.isArray(row.stages) ? (row.stages as StoredStage[]) : [];
}

export function stageTimeline(stages: readonly StoredStage[]): StageTimeline[] {
  return stages.map((stage) => ({
    key: stage.key,
    label: stage.label,
    status: stage.status,
    startedAt: stage.startedAt ? new Date(stage.startedAt) : null,
    finishedAt: stage.finishedAt ? new Date(stage.finishedAt) : null,
  }));
}

export function snapshotFromRow(row: RunRow): RunSnapshot {
  const stages = storedStages(row);
  const current = row.stageIndex === null ? undefined : stages[row.stageIndex];
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    progress: row.progress,
    stage:
      current && row.stageIndex !== null
        ? { key: current.key, label: current.label, index: row.stageIndex, count: stages.length }
        : null,
    step: row.stepTotal !== null ? { current: row.stepCurrent ?? 0, total: row.stepTotal } : null,
    message: row.message,
    etaMs: row.etaMs,
    input: row.input,
    result: row.status === 'completed' ? (row.result ?? null) : null,
    error: row.errorCode ? { code: row.errorCode, message: row.errorMessage ?? '' } : null,
    cancelRequested: row.cancelRequested,
    cancelReason: row.cancelReason,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    updatedAt: row.updatedAt,
    heartbeatAt: row.heartbeatAt,
    seq: row.seq,
    attempt: row.attempt,
  };
}

/** The run columns that mirror a snapshot (everything but identity, input and the stage list). */
export function rowFieldsFromSnapshot(snapshot: RunSnapshot) {
  return {
    status: snapshot.status,
    progress: snapshot.progress,
    stageIndex: snapshot.stage?.index ?? null,
    stepCurrent: snapshot.step?.current ?? null,
    stepTotal: snapshot.step?.total ?? null,
    message: snapshot.message,
    etaMs: snapshot.etaMs,
    errorCode: snapshot.error?.code ?? null,
    errorMessage: snapshot.error?.message ?? null,
    cancelRequested: snapshot.cancelRequested,
    cancelReason: snapshot.cancelReason,
    attempt: snapshot.attempt,
    seq: snapshot.seq,
    startedAt: snapshot.startedAt,
    finishedAt: snapshot.finishedAt,
    updatedAt: snapshot.updatedAt,
    heartbeatAt: snapshot.heartbeatAt,
  };
}
