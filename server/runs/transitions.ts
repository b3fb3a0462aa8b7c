import type { ProgressEventType } from '../../shared/events.ts';
import type { RunError, StageStatus } from '../../shared/run.ts';
import type { ProgressEvent, RunSnapshot, StoredStage, TimelineEntry } from './interfaces.ts';
import { closeRunningStage as closeStageAt, enterStage as enterStageAt } from '../../shared/stage-timeline.ts';
import { diffSnapshots } from './snapshot-patch.ts';

/**
 * Pure snapshot arithmetic for each status transition. Where they are written
 * (compare-and-set, in one transaction with their event) is the store's job.
 */

export function startedSnapshot(run: RunSnapshot, now: Date): RunSnapshot {
  return { ...run, status: 'running', startedAt: now, heartbeatAt: now, updatedAt: now, seq: run.seq + 1 };
}

export function requeuedSnapshot(run: RunSnapshot, now: Date): RunSnapshot {
  return {
    ...run,
    status: 'queued',
    attempt: run.attempt + 1,
    progress: 0,
    stage: null,
    step: null,
    message: null,
    etaMs: null,
    startedAt: null,
    heartbeatAt: null,
    updatedAt: now,
    seq: run.seq + 1,
  };
}

export function cancellingSnapshot(run: RunSnapshot, reason: string | null, now: Date): RunSnapshot {
  return { ...run, cancelRequested: true, cancelReason: reason, updatedAt: now, seq: run.seq + 1 };
}

export function finishedSnapshot(
  run: RunSnapshot,
  status: 'completed' | 'failed' | 'cancelled',
  now: Date,
  outcome: { result?: unknown; error?: RunError } = {},
): RunSnapshot {
  return {
    ...run,
    status,
    progress: status === 'completed' ? 100 : run.progress,
    etaMs: null,
    result: status === 'completed' ? (outcome.result ?? null) : null,
    error: outcome.error ?? null,
    finishedAt: now,
    updatedAt: now,
    seq: run.seq + 1,
  };
}

export function timelineEntry(type: ProgressEventType, before: RunSnapshot, after: RunSnapshot): TimelineEntry {
  const event: ProgressEvent = { type, runId: after.id, seq: after.seq, at: after.updatedAt, run: after };
  return { event, patch: diffSnapshots(before, after) };
}

export { resetStages } from '../../shared/stage-timeline.ts';

/** Closes the stage that was running (if any) with `status`. */
export function closeRunningStage(stages: readonly StoredStage[], status: StageStatus, now: Date): StoredStage[] {
  return closeStageAt(stages, status, now.toISOString());
}

/** Marks every stage before `index` completed and `index` running. */
export function enterStage(stages: readonly StoredStage[], index: number, now: Date): StoredStage[] {
  return enterStageAt(stages, index, now.toISOString());
}
