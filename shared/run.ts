// no zod here: this module reaches the browser bundle, where a schema library would only add weight
export const runStatuses = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof runStatuses)[number];

export const terminalStatuses: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];
export function isTerminal(status: RunStatus): boolean {
  return terminalStatuses.includes(status);
}

/** The stage a run is in: `index` is 0-based, `count` the number of stages of its kind. */
export interface StageRef {
  key: string;
  label: string;
  index: number;
  count: number;
}

/** Position inside the current stage. */
export interface StepRef {
  current: number;
  total: number;
}

export interface RunError {
  code: string;
  message: string;
}

export type StageStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface StageTimeline {
  key: string;
  label: string;
  status: StageStatus;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/**
 * The state of one run after its latest event. `Kind`, `Input` and `Result`
 * are filled in per registered analysis, so a snapshot narrowed by `kind`
 * has a typed `input` and `result`.
 */
export interface RunSnapshotOf<Kind extends string = string, Input = unknown, Result = unknown> {
  id: string;
  kind: Kind;
  status: RunStatus;
  /** percent 0..100: never decreases within an attempt, 100 only when completed */
  progress: number;
  stage: StageRef | null;
  step: StepRef | null;
  message: string | null;
  etaMs: number | null;
  input: Input;
  result: Result | null;
  error: RunError | null;
  cancelRequested: boolean;
  cancelReason: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
  heartbeatAt: Date | null;
  /** sequence number of the last event */
  seq: number;
  attempt: number;
}

export type CancelOutcome = 'cancelled' | 'cancelling' | 'already-finished';
