import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createTRPCReact } from '@trpc/react-query';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { AppRouter } from '../../server/api/app-router.ts';
import { createAnalysisLinks } from '../links.ts';
import { isClientError } from './errors.ts';

/** The tRPC React binding for this server's router: `trpc.analysis.get.useQuery(…)` and friends. */
export const trpc = createTRPCReact<AppRouter>();

export interface AnalysisProviderProps {
  /** the server's base URL; default: the page's origin */
  url?: string;
  /** bearer token when the server has `API_TOKENS`; changing it reconnects and refetches */
  token?: string | undefined;
  /** where there is no global WebSocket (Node 20 tests): `ws` */
  WebSocket?: unknown;
  /** reconnect delay per attempt; default: 250 ms doubling up to 5 s */
  retryDelayMs?: (attempt: number) => number;
  /** bring your own QueryClient (e.g. to share it with the rest of an app) */
  queryClient?: QueryClient;
  children: ReactNode;
}

function retryServerErrors(failureCount: number, error: unknown): boolean {
  return !isClientError(error) && failureCount < 3;
}

export function createAnalysisQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // live runs are pushed over the subscription; a short staleTime avoids refetch storms on focus
      queries: { staleTime: 2_000, retry: retryServerErrors },
      mutations: { retry: false },
    },
  });
}

/**
 * Builds the tRPC client (WebSocket for `analysis.progress` with resume, batched
 * HTTP for the rest) and a QueryClient, and provides both to the hooks below it.
 */
export function AnalysisProvider(props: AnalysisProviderProps) {
  const url = props.url ?? globalThis.location.origin;
  const { token, WebSocket, retryDelayMs } = props;
  const [queryClient] = useState(() => props.queryClient ?? createAnalysisQueryClient());
  const retryRef = useRef(retryDelayMs);
  retryRef.current = retryDelayMs;
  const connection = useMemo(
    () =>
      createAnalysisLinks<AppRouter>({
        url,
        token,
        WebSocket,
        retryDelayMs: (attempt) => retryRef.current?.(attempt) ?? Math.min(250 * 2 ** attempt, 5000),
      }),
    [url, token, WebSocket],
  );
  const trpcClient = useMemo(() => trpc.createClient({ links: connection.links }), [connection]);

  const firstConnection = useRef(connection);
  useEffect(() => {
    // another identity sees other runs: nothing of this router cached under the old one may show
    // (only this router's entries: the QueryClient may be shared with the rest of an app)
    if (firstConnection.current !== connection) void queryClient.resetQueries({ queryKey: [['analysis']] });
    return () => connection.close();
  }, [connection, queryClient]);

  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>{props.children}</QueryClientProvider>
    </trpc.Provider>
  );
}
