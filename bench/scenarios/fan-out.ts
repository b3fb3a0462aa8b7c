import { forkBenchServer } from '../lib/fork-server.ts';
import { followRun } from '../lib/follow.ts';
import type { Scenario } from '../lib/report.ts';
import type { BenchClient } from '../lib/server.ts';
import { clockMs, distribution, round, sleep } from '../lib/stats.ts';

/**
 * One held run, `subscribers` clients (one WebSocket each) following it on a
 * server in its own process; then the run is released. Measures the time
 * until the terminal event reached every subscriber, and the server's RSS
 * growth per idle subscriber.
 */
export const fanOut: Scenario = {
  name: 'fan-out',
  describe: 'one run, 1000 subscribers (one WebSocket each): terminal event to all, server memory per subscriber',
  async run({ quick, log }) {
    const subscribers = quick ? 200 : 1000;
    const server = await forkBenchServer();
    try {
      const starter = server.client();
      const run = await starter.analysis.start.mutate({ kind: 'bench-held', input: {} });
      // one subscriber first, so the per-subscriber figure leaves out what the first one sets up
      const opened: Array<Promise<void>> = [];
      const follow = (client: BenchClient, arrivals: number[]) => {
        let resolveOpened = () => {};
        opened.push(new Promise<void>((resolve) => (resolveOpened = resolve)));
        return followRun(client, run.id, (event) => {
          if (event.type === 'snapshot') resolveOpened();
          if (event.type === 'completed') arrivals.push(clockMs());
        });
      };
      const arrivals: number[] = [];
      const ends: Array<Promise<unknown>> = [follow(starter, [])];
      await Promise.all(opened);
      await sleep(200);
      const before = await server.memory();
      for (let i = 0; i < subscribers; i += 100) {
        for (let j = i; j < Math.min(subscribers, i + 100); j++) {
          ends.push(follow(server.client(), arrivals));
        }
        await Promise.all(opened);
      }
      await sleep(500);
      const after = await server.memory();
      const released = clockMs();
      await server.release();
      await Promise.all(ends);
      const delivery = distribution(arrivals.map((at) => at - released));
      const rssPerSubscriberKb = round((after.rss - before.rss) / subscribers / 1024, 1);
      const heapPerSubscriberKb = round((after.heapUsed - before.heapUsed) / subscribers / 1024, 1);
      log(`terminal event to all ${subscribers}: ${delivery.max} ms (p50 ${delivery.p50})`);
      log(`server RSS +${rssPerSubscriberKb} KB, heap +${heapPerSubscriberKb} KB per subscriber`);
      return {
        name: 'fan-out',
        rows: [
          {
            scenario: 'fan-out',
            metric: `ms until the terminal event reached all ${subscribers} subscribers`,
            ours: delivery.max,
            note: `p50 ${delivery.p50} ms; includes storing the completion`,
          },
          {
            scenario: 'fan-out',
            metric: 'server RSS per idle subscriber (KB, own WebSocket each)',
            ours: rssPerSubscriberKb,
            target: '< 50 KB',
            // with a few hundred subscribers the RSS delta is within the allocator's noise
            ...(!quick && { met: rssPerSubscriberKb < 50 }),
            note: `JS heap ${heapPerSubscriberKb} KB per subscriber${quick ? '; --quick: too few subscribers to judge' : ''}`,
          },
        ],
        details: {
          subscribers,
          delivery,
          memoryBefore: before,
          memoryAfter: after,
          rssPerSubscriberKb,
          heapPerSubscriberKb,
        },
      };
    } finally {
      await server.close();
    }
  },
};
