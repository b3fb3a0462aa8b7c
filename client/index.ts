import { createTRPCClient, type TRPCClient } from '@trpc/client';
import type { AppRouter } from '../server/api/app-router.ts';
import { createAnalysisLinks, type AnalysisLinkOptions, type SuperjsonRouter } from './links.ts';

export type { AppRouter } from '../server/api/app-router.ts';
export * from '../shared/index.ts';
export type { AnalysisLinkOptions as AnalysisClientOptions } from './links.ts';

const closers = new WeakMap<object, () => void>();

/**
 * A typed vanilla tRPC client: queries and mutations over batched HTTP,
 * `analysis.progress` over one WebSocket that reconnects by itself and
 * resumes each subscription from the last event it received (`lastEventId`).
 */
export function createAnalysisClient<TRouter extends SuperjsonRouter = AppRouter>(
  options: AnalysisLinkOptions,
): TRPCClient<TRouter> {
  const { links, close } = createAnalysisLinks<TRouter>(options);
  const client = createTRPCClient<TRouter>({ links });
  closers.set(client, close);
  return client;
}

/** Closes the client's WebSocket (subscriptions end); HTTP calls keep working. */
export function closeAnalysisClient(client: object): void {
  closers.get(client)?.();
}
