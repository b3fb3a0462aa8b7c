import { isTrackedEnvelope } from '@trpc/server';

/**
 * Events of a `progress` subscription consumed through `createCaller`: the
 * caller hands out tRPC's tracked envelopes (`[id, data, symbol]`) at run time
 * although its type says `{ id, data }`; this accepts both.
 */
export async function* trackedEvents<T>(
  iterable: AsyncIterable<{ id: string; data: T }>,
): AsyncGenerator<{ id: string; data: T }> {
  for await (const item of iterable as AsyncIterable<unknown>) {
    if (isTrackedEnvelope(item)) yield { id: item[0], data: item[1] as T };
    else yield item as { id: string; data: T };
  }
}
