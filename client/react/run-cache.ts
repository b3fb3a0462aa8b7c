import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import { getQueryKey } from '@trpc/react-query';
import type { HistoryPage, ProgressEvent, RunDetails, RunSnapshot } from '../../shared/index.ts';
import { stagesAfterEvent } from '../../shared/stage-timeline.ts';
import { trpc } from './provider.tsx';

/** Event types after which a run may belong to another history filter (status or order changed). */
const statusChangingEvents = new Set<ProgressEvent['type']>(['queued', 'started', 'completed', 'failed', 'cancelled']);

/**
 * `analysis.get`'s cached value after `event`. Events and query answers travel
 * on different connections, so the newer `seq` wins whichever arrives last.
 */
export function runDetailsAfterEvent(previous: RunDetails | undefined, event: ProgressEvent): RunDetails | undefined {
  if (!previous || event.run.seq <= previous.seq) return previous;
  // a snapshot carries no stage changes: the timeline is refetched (see applyProgressEvent)
  const stages = event.type === 'snapshot' ? previous.stages : stagesAfterEvent(previous.stages, event);
  return { ...event.run, stages };
}

/** A fetched `get` answer never replaces a newer state that arrived as an event. */
export function keepNewerRun(previous: unknown, next: unknown): unknown {
  const older = previous as RunDetails | undefined;
  const newer = next as RunDetails;
  return older && older.id === newer.id && older.seq > newer.seq ? older : newer;
}

export function historyAfterRun(
  data: InfiniteData<HistoryPage> | undefined,
  run: RunSnapshot,
): InfiniteData<HistoryPage> | undefined {
  if (!data) return data;
  let changed = false;
  const pages = data.pages.map((page) => {
    const index = page.items.findIndex((item) => item.id === run.id);
    const current = page.items[index];
    if (!current || current.seq >= run.seq) return page;
    changed = true;
    const items = [...page.items];
    items[index] = run;
    return { ...page, items };
  });
  return changed ? { ...data, pages } : data;
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
  if (event.type === 'snapshot' && before && event.run.seq > before.seq) {
    void utils.analysis.get.invalidate({ runId: event.runId });
  }
  if (statusChangingEvents.has(event.type)) void utils.analysis.history.invalidate();
}
