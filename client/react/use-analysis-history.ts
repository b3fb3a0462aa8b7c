import { keepPreviousData } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { AnalysisKind, RunSnapshot, RunStatus } from '../../shared/index.ts';
import { trpc } from './provider.tsx';

export interface HistoryFilters {
  status?: RunStatus[] | undefined;
  kind?: AnalysisKind | undefined;
  /** page size, 1..100; default 20 */
  limit?: number | undefined;
}

export interface UseAnalysisHistoryOptions {
  /**
   * Refetch every this many ms. Off by default: the history refreshes when a
   * run started, cancelled or followed in this client changes status; turn it
   * on to also see runs that others start.
   */
  pollMs?: number | false;
}

/**
 * The signed-in user's runs, newest first, as an infinite query over the
 * history cursor (`fetchNextPage`). `runs` is all loaded pages flattened.
 */
export function useAnalysisHistory(filters: HistoryFilters = {}, options: UseAnalysisHistoryOptions = {}) {
  const query = trpc.analysis.history.useInfiniteQuery(
    {
      limit: filters.limit ?? 20,
      status: filters.status && filters.status.length > 0 ? filters.status : null,
      kind: filters.kind ?? null,
    },
    {
      getNextPageParam: (page) => page.nextCursor ?? undefined,
      placeholderData: keepPreviousData,
      refetchInterval: options.pollMs ?? false,
    },
  );
  const runs = useMemo<RunSnapshot[]>(() => query.data?.pages.flatMap((page) => page.items) ?? [], [query.data]);
  return Object.assign(query, { runs });
}
