import type { RunSnapshotOf } from './run.ts';

export const progressEventTypes = [
  'snapshot',
  'queued',
  'started',
  'stage',
  'progress',
  'log',
  'heartbeat',
  'cancelling',
  'completed',
  'failed',
  'cancelled',
] as const;
export type ProgressEventType = (typeof progressEventTypes)[number];

/** Event types a slow subscriber may lose to coalescing: a later one carries all they said. */
export const coalescableEventTypes: readonly ProgressEventType[] = ['progress', 'heartbeat'];

export const terminalEventTypes: readonly ProgressEventType[] = ['completed', 'failed', 'cancelled'];

export interface ProgressEventOf<Snapshot extends RunSnapshotOf = RunSnapshotOf> {
  type: ProgressEventType;
  runId: string;
  seq: number;
  at: Date;
  /** the full snapshot after this event */
  run: Snapshot;
}
