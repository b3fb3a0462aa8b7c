import type { ProgressEventOf } from './events.ts';
import type { RunSnapshotOf, StageStatus, StageTimeline } from './run.ts';

/**
 * How a run's stage timeline moves, for any timestamp representation: the
 * server keeps ISO strings in its row, clients keep `Date`s. Both sides use
 * these functions, so a timeline folded from events on a client equals the one
 * `analysis.get` returns.
 */
export interface StageState<Time> {
  status: StageStatus;
  startedAt: Time | null;
  finishedAt: Time | null;
}

export function resetStages<Stage extends StageState<unknown>>(stages: readonly Stage[]): Stage[] {
  return stages.map((stage) => ({ ...stage, status: 'pending', startedAt: null, finishedAt: null }));
}

/** Closes the stage that was running (if any) with `status`. */
export function closeRunningStage<Time, Stage extends StageState<Time>>(
  stages: readonly Stage[],
  status: StageStatus,
  at: Time,
): Stage[] {
  return stages.map((stage) => (stage.status === 'running' ? { ...stage, status, finishedAt: at } : stage));
}

/** Marks every stage before `index` completed and `index` running (`index` = length: all completed). */
export function enterStage<Time, Stage extends StageState<Time>>(
  stages: readonly Stage[],
  index: number,
  at: Time,
): Stage[] {
  return stages.map((stage, i) => {
    if (i < index && stage.status !== 'completed') {
      return { ...stage, status: 'completed', startedAt: stage.startedAt ?? at, finishedAt: at };
    }
    if (i === index) return { ...stage, status: 'running', startedAt: at, finishedAt: null };
    return stage;
  });
}

/** The timeline after `event`, given the timeline before it. */
export function stagesAfterEvent(
  stages: readonly StageTimeline[],
  event: Pick<ProgressEventOf<RunSnapshotOf>, 'type' | 'at' | 'run'>,
): StageTimeline[] {
  switch (event.type) {
    case 'stage':
      return event.run.stage ? enterStage(stages, event.run.stage.index, event.at) : [...stages];
    case 'completed':
      return enterStage(stages, stages.length, event.at);
    case 'failed':
    case 'cancelled':
      return closeRunningStage(stages, event.type, event.at);
    case 'queued':
      // a re-queued attempt starts its stages over
      return event.run.attempt > 1 ? resetStages(stages) : [...stages];
    default:
      return [...stages];
  }
}
