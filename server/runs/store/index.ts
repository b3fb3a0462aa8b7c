export { createRun, type NewRun } from './create-run.ts';
export { getRun } from './get-run.ts';
export { listRuns, type RunPageQuery } from './list-runs.ts';
export { listEvents, type StoredEvent } from './list-events.ts';
export { listQueuedRuns } from './list-queued-runs.ts';
export { findStalledRuns } from './find-stalled-runs.ts';
export { findOverdueCancels } from './find-overdue-cancels.ts';
export { commitTransition, type Transition } from './commit-transition.ts';
export { flushProgress, type ProgressBatch } from './flush-progress.ts';
