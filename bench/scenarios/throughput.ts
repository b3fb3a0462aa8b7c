import type { DatabaseProvider } from '../../server/db/client.ts';
import { followRun } from '../lib/follow.ts';
import { createBullmq } from '../lib/bullmq.ts';
import type { ResultRow, Scenario, ScenarioOptions } from '../lib/report.ts';
import { startScenarioServer } from '../lib/scenario-server.ts';
import { ratio, round } from '../lib/stats.ts';

/** runs executing at once, on both sides */
const concurrency = 8;

/** submissions in flight at once: the tRPC client batches the calls of one tick into one HTTP request */
const wave = 100;

/** Calls `submit` `count` times, `wave` at a time. */
async function inWaves(count: number, submit: () => Promise<unknown>): Promise<void> {
  for (let done = 0; done < count; done += wave) {
    await Promise.all(Array.from({ length: Math.min(wave, count - done) }, submit));
  }
}

/** N ten-step runs submitted in waves of 100; each followed over the WebSocket until its terminal event. */
async function ours(provider: DatabaseProvider, runs: number, options: ScenarioOptions): Promise<number> {
  const server = await startScenarioServer(options, provider, { MAX_CONCURRENCY: String(concurrency) });
  try {
    const client = server.client();
    const batch = async (count: number) => {
      const started = performance.now();
      const ends: Array<Promise<void>> = [];
      await inWaves(count, async () => {
        const run = await client.analysis.start.mutate({ kind: 'bench-ten-steps', input: {} });
        ends.push(
          followRun(client, run.id).then((end) => {
            if (end.run.status !== 'completed') throw new Error(`run ${run.id} ended ${end.run.status}`);
          }),
        );
      });
      await Promise.all(ends);
      return performance.now() - started;
    };
    await batch(Math.min(50, runs)); // warm-up: connections, JIT, prepared statements
    return runs / ((await batch(runs)) / 1000);
  } finally {
    await server.close();
  }
}

/** The same on BullMQ: `queue.add`, ten `job.updateProgress`, completion seen by a `QueueEvents` listener. */
async function bullmq(runs: number): Promise<number> {
  const bull = createBullmq('throughput');
  try {
    const events = await bull.events();
    let completed = 0;
    let onCompleted = () => {};
    events.on('completed', () => {
      completed++;
      onCompleted();
    });
    await bull.worker(async (job) => {
      for (let step = 1; step <= 10; step++) await job.updateProgress(step * 10);
      return { steps: 10 };
    }, concurrency);
    const batch = async (count: number) => {
      const target = completed + count;
      const started = performance.now();
      const allSeen = new Promise<void>((resolve) => {
        onCompleted = () => {
          if (completed >= target) resolve();
        };
      });
      await inWaves(count, () => bull.queue.add('ten-steps', {}));
      await allSeen;
      return performance.now() - started;
    };
    await batch(Math.min(50, runs));
    return runs / ((await batch(runs)) / 1000);
  } finally {
    await bull.close();
  }
}

export const throughput: Scenario = {
  name: 'throughput',
  describe: 'ten-step runs per second, submitted 100 at a time, until the last terminal event reaches a subscriber',
  async run(options) {
    const { quick, log } = options;
    const runs = quick ? 300 : 2000;
    const rounds = quick ? 1 : 2;
    const rows: ResultRow[] = [];
    const details: Record<string, unknown> = { runs, concurrency, rounds, serverInProcess: options.inProcess };
    for (const provider of ['sqlite', 'postgresql'] as const) {
      // alternate the two sides and keep each one's best round: other load on the machine only ever slows a round down
      let ourRate = 0;
      let peerRate = 0;
      for (let round = 0; round < rounds; round++) {
        const ourRound = await ours(provider, runs, options);
        log(`throughput ${provider}: ${ourRound.toFixed(0)} runs/s`);
        const peerRound = await bullmq(runs);
        log(`throughput BullMQ: ${peerRound.toFixed(0)} runs/s`);
        ourRate = Math.max(ourRate, ourRound);
        peerRate = Math.max(peerRate, peerRound);
      }
      const wanted = provider === 'sqlite' ? 1.2 : 1;
      const r = ratio(ourRate, peerRate);
      rows.push({
        scenario: 'throughput',
        metric: `runs/s, ${provider} (${runs} runs, concurrency ${concurrency}, best of ${rounds})`,
        ours: round(ourRate, 0),
        peer: round(peerRate, 0),
        ratio: r,
        target: `≥ ${wanted}× BullMQ`,
        met: r >= wanted,
      });
      details[provider] = { oursRunsPerSecond: round(ourRate, 1), bullmqRunsPerSecond: round(peerRate, 1) };
    }
    return { name: 'throughput', rows, details };
  },
};
