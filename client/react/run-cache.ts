import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import { getQueryKey } from '@trpc/react-query';
import {
  isTerminal,
  type HistoryPage,
  type ProgressEvent,
  type RunDetails,
  type RunSnapshot,
} from '../../shared/index.ts';
import { stagesAfterEvent } from '../../shared/stage-timeline.ts';
import { trpc } from './provider.tsx';

/** Event types after which a run may belong to another history filter (status or order changed). */
const statusChangingEvents = new Set<ProgressEvent['type']>(['queued', 'started', 'completed', 'failed', 'cancelled']);

type Versioned = Pick<RunSnapshot, 'seq' | 'attempt' | 'status'>;

/**
 * Whether `next` is a later state of the run than `current`. Normally the
 * higher `seq`; but an end state or another attempt always wins: after a
 * server crash, progress this client saw may never have been stored, and the
 * recovery (fail or re-queue) can then carry a lower seq than the one seen.
 */
export function isLaterState(current: Versioned, next: Versioned): boolean {
  if (next.attempt !== current.attempt) return next.attempt > current.attempt || isTerminal(next.status);
  if (isTerminal(next.status) !== isTerminal(current.status)) return isTerminal(next.status);
  return next.seq > current.seq;
}

/**
 * `analysis.get`'s cached value after `event`, or undefined when the event
 * changes nothing (so the cache entry keeps its freshness and error state).
 * Events and query answers travel on different connections: the later state
 * wins whichever arrives last.
 */
export function runDetailsAfterEvent(previous: RunDetails | undefined, event: ProgressEvent): RunDetails | undefined {
  if (!previous || !isLaterState(previous, event.run)) return undefined;
  // a snapshot carries no stage changes: the timeline is refetched (see applyProgressEvent)
  const stages = event.type === 'snapshot' ? previous.stages : stagesAfterEvent(previous.stages, event);
  return { ...event.run, stages };
}

/** A fetched `get` answer never replaces a later state that arrived as an event. */
export function keepNewerRun(previous: unknown, next: unknown): unknown {
  const older = previous as RunDetails | undefined;
  const newer = next as RunDetails;
  return older && older.id === newer.id && isLaterState(newer, older) ? older : newer;
}

export function historyAfterRun(
  data: InfiniteData<HistoryPage> | undefined,
  run: RunSnapshot,
): InfiniteData<HistoryPage> | undefined {
  if (!data) return undefined;
  let changed = false;
  const pages = data.pages.map((page) => {
    const index = page.items.findIndex((item) => item.id === run.id);
    const current = page.items[index];
    if (!current || !isLaterState(current, run)) return page;
    changed = true;
    const items = [...page.items];
    items[index] = run;
    return { ...page, items };
  });
  // undefined: nothing to write, so the entry keeps its freshness and error state
  return changed ? { ...data, pages } : undefined;
}

type Utils = ReturnType<typeof trpc.useUtils>;

function updateHistories(queryClient: QueryClient, run: RunSnapshot): void {
  queryClient.setQueriesData<InfiniteData<HistoryPage>>(
    { queryKey: getQueryKey(trpc.analysis.history, undefined, 'infinite') },
    (data) => historyAfterRun(data, run),
  );
}

/** Writes a run's newer state (e.g. a mutation's answer) into every cached `get` and `history` entry. */
export function storeRun(queryClient: QueryClient, utils: Utils, run: RunSnapshot): void {
  utils.analysis.get.setData({ runId: run.id }, (previous) =>
    previous && previous.seq < run.seq ? { ...run, stages: previous.stages } : previous,
  );
  updateHistories(queryClient, run);
}

/** Folds a progress event into the cache, so every component showing the run agrees. */
export function applyProgressEvent(queryClient: QueryClient, utils: Utils, event: ProgressEvent): void {
  const before = utils.analysis.get.getData({ runId: event.runId });
  utils.analysis.get.setData({ runId: event.runId }, (previous) => runDetailsAfterEvent(previous, event));
  updateHistories(queryClient, event.run);
  if (event.type === 'snapshot' && before && isLaterState(before, event.run)) {
    void utils.analysis.get.invalidate({ runId: event.runId });
  }
  if (statusChangingEvents.has(event.type)) void utils.analysis.history.invalidate();
}
