import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink, type TRPCClient } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import superjson from 'superjson';
import type { AppRouter } from '../server/api/app-router.ts';

export type { AppRouter } from '../server/api/app-router.ts';
export * from '../shared/index.ts';

export interface AnalysisClientOptions {
  /** the server's base URL (`http://127.0.0.1:3000`) or its tRPC URL (`…/trpc`) */
  url: string;
  /** sent as `Authorization: Bearer` over HTTP and as `connectionParams.token` over WebSocket */
  token?: string;
  /** a WebSocket implementation where there is no global one (Node 20: `import WebSocket from 'ws'`) */
  WebSocket?: unknown;
  /** reconnect delay per attempt; default: 250 ms doubling up to 5 s */
  retryDelayMs?: (attempt: number) => number;
  onConnectionChange?: (state: 'open' | 'closed') => void;
}

/** Routers built with this project's `initTRPC` (superjson on the wire), e.g. one with test analyses. */
type SuperjsonRouter = AnyTRPCRouter & { _def: { _config: { $types: { transformer: true } } } };

const closers = new WeakMap<object, () => void>();

function endpoints(url: string): { http: string; ws: string } {
  const base = new URL(url);
  const path = base.pathname.replace(/\/+$/, '');
  base.pathname = path.endsWith('/trpc') ? path : `${path}/trpc`;
  const http = base.toString().replace(/\/$/, '');
  const ws = new URL(http);
  ws.protocol = ws.protocol === 'https:' ? 'wss:' : 'ws:';
  return { http, ws: ws.toString() };
}

/**
 * A typed vanilla tRPC client: queries and mutations over batched HTTP,
 * `analysis.progress` over one WebSocket that reconnects by itself and
 * resumes each subscription from the last event it received (`lastEventId`).
 */
export function createAnalysisClient<TRouter extends SuperjsonRouter = AppRouter>(
  options: AnalysisClientOptions,
): TRPCClient<TRouter> {
  const { http, ws } = endpoints(options.url);
  const token = options.token;
  const wsClient = createWSClient({
    url: ws,
    WebSocket: options.WebSocket as typeof globalThis.WebSocket | undefined,
    connectionParams: token ? { token } : {},
    retryDelayMs: options.retryDelayMs ?? ((attempt) => Math.min(250 * 2 ** attempt, 5000)),
    lazy: { enabled: true, closeMs: 10_000 },
    keepAlive: { enabled: true, intervalMs: 10_000, pongTimeoutMs: 5_000 },
    onOpen: () => options.onConnectionChange?.('open'),
    onClose: () => options.onConnectionChange?.('closed'),
  });
  const client = createTRPCClient<TRouter>({
    links: [
      splitLink<TRouter>({
        condition: (op) => op.type === 'subscription',
        true: wsLink<AppRouter>({ client: wsClient, transformer: superjson }),
        false: httpBatchLink<AppRouter>({
          url: http,
          transformer: superjson,
          headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
        }),
      }),
    ],
  });
  closers.set(client, () => void wsClient.close());
  return client;
}

/** Closes the client's WebSocket (subscriptions end); HTTP calls keep working. */
export function closeAnalysisClient(client: object): void {
  closers.get(client)?.();
}
