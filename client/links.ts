import { createWSClient, httpBatchLink, splitLink, wsLink, type TRPCLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import superjson from 'superjson';
import type { AppRouter } from '../server/api/app-router.ts';

export interface AnalysisLinkOptions {
  /** the server's base URL (`http://127.0.0.1:3000`) or its tRPC URL (`…/trpc`) */
  url: string;
  /** sent as `Authorization: Bearer` over HTTP and as `connectionParams.token` over WebSocket */
  token?: string | undefined;
  /** a WebSocket implementation where there is no global one (Node 20: `import WebSocket from 'ws'`) */
  WebSocket?: unknown;
  /** reconnect delay per attempt; default: 250 ms doubling up to 5 s */
  retryDelayMs?: ((attempt: number) => number) | undefined;
  onConnectionChange?: ((state: 'open' | 'closed') => void) | undefined;
}

/** Routers built with this project's `initTRPC` (superjson on the wire), e.g. one with test analyses. */
export type SuperjsonRouter = AnyTRPCRouter & { _def: { _config: { $types: { transformer: true } } } };

export function endpoints(url: string): { http: string; ws: string } {
  const base = new URL(url);
  const path = base.pathname.replace(/\/+$/, '');
  base.pathname = path.endsWith('/trpc') ? path : `${path}/trpc`;
  const http = base.toString().replace(/\/$/, '');
  const ws = new URL(http);
  ws.protocol = ws.protocol === 'https:' ? 'wss:' : 'ws:';
  return { http, ws: ws.toString() };
}

/**
 * The links every client of this server uses: `analysis.progress` over one
 * WebSocket that reconnects by itself and resumes each subscription from the
 * last event it received (`lastEventId`), everything else over batched HTTP.
 */
export function createAnalysisLinks<TRouter extends SuperjsonRouter>(
  options: AnalysisLinkOptions,
): { links: TRPCLink<TRouter>[]; close: () => void } {
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
  // the transformer option is typed per router; every router here uses superjson
  const links = [
    splitLink<TRouter>({
      condition: (op) => op.type === 'subscription',
      true: wsLink<AppRouter>({ client: wsClient, transformer: superjson }),
      false: httpBatchLink<AppRouter>({
        url: http,
        // many calls in one tick would otherwise share one GET URL longer than Node's header limit (431)
        maxURLLength: 8000,
        transformer: superjson,
        headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
      }),
    }),
  ];
  return { links, close: () => void wsClient.close() };
}
