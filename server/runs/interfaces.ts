import type { ProgressEventOf } from '../../shared/events.ts';
import type { RunStatus } from '../../shared/run.ts';
import type { SnapshotPatch } from './snapshot-patch.ts';
import type { RunSnapshot } from './snapshot.ts';

export type { RunSnapshot, RunRow, StoredStage } from './snapshot.ts';
export type ProgressEvent = ProgressEventOf<RunSnapshot>;

/** An event as written to the timeline: the event and the fields it changed. */
export interface TimelineEntry {
  event: ProgressEvent;
  patch: SnapshotPatch;
}

/** What a write must still find in the row for it to apply (compare-and-set). */
export interface RunGuard {
  status: RunStatus | readonly RunStatus[];
  attempt?: number;
  cancelRequested?: boolean;
  /** the run's stored seq: no other event was stored in between */
  seq?: number;
  /** the lease holder it must still have */
  workerId?: string;
}
