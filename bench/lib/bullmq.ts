import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents, Worker, type Processor } from 'bullmq';
import { Redis } from 'ioredis';

export const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * One BullMQ queue under a prefix no other run uses, with the workers and
 * event listeners a scenario opens on it; `close()` closes them all and
 * deletes every key under the prefix.
 */
export function createBullmq(name: string) {
  const prefix = `bench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const connection = { url: redisUrl, maxRetriesPerRequest: null };
  // room for every event of the largest scenario: a trimmed stream would lose events a listener has not read
  const queue = new Queue(name, { connection, prefix, streams: { events: { maxLen: 1_000_000 } } });
  const closers: Array<() => Promise<void>> = [];
  return {
    queue,
    async worker(processor: Processor, concurrency: number): Promise<Worker> {
      const worker = new Worker(name, processor, { connection, prefix, concurrency });
      closers.push(() => worker.close());
      await worker.waitUntilReady();
      return worker;
    },
    async events(): Promise<QueueEvents> {
      const events = new QueueEvents(name, { connection, prefix });
      closers.push(() => events.close());
      await events.waitUntilReady();
      return events;
    },
    async close(): Promise<void> {
      for (const close of closers.reverse()) await close();
      await queue.close();
      const redis = new Redis(redisUrl);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}

export type Bullmq = ReturnType<typeof createBullmq>;
