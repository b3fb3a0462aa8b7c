import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Scenario } from '../lib/report.ts';
import { startBenchServer, type BenchClient } from '../lib/server.ts';
import { distribution, round, sleep } from '../lib/stats.ts';

interface Samples {
  healthz: number[];
  query: number[];
}

/** GET /healthz and an `analysis.history` query, one after the other, every `gapMs`, for `durationMs`. */
async function probe(url: string, client: BenchClient, durationMs: number, gapMs: number): Promise<Samples> {
  const samples: Samples = { healthz: [], query: [] };
  const until = performance.now() + durationMs;
  while (performance.now() < until) {
    let began = performance.now();
    const response = await fetch(`${url}/healthz`);
    await response.arrayBuffer();
    samples.healthz.push(performance.now() - began);
    began = performance.now();
    await client.analysis.history.query({ limit: 20 });
    samples.query.push(performance.now() - began);
    await sleep(gapMs);
  }
  return samples;
}

export const responsiveness: Scenario = {
  name: 'responsiveness',
  describe: 'GET /healthz and a tRPC query while MAX_CONCURRENCY default neuron-activation-stats runs compute',
  async run({ quick, log }) {
    const server = await startBenchServer('sqlite');
    try {
      const client = server.client();
      const durationMs = quick ? 4000 : 15_000;
      const idle = await probe(server.url, client, quick ? 1000 : 3000, 10);
      const concurrency = server.app.config.maxConcurrency;
      const runs = await Promise.all(
        Array.from({ length: concurrency }, () =>
          client.analysis.start.mutate({ kind: 'neuron-activation-stats', input: {} }),
        ),
      );
      await sleep(300); // the workers are computing
      const loopDelay = monitorEventLoopDelay({ resolution: 10 });
      loopDelay.enable();
      const loaded = await probe(server.url, client, durationMs, 10);
      loopDelay.disable();
      const stillRunning = (await Promise.all(runs.map((run) => client.analysis.get.query({ runId: run.id })))).filter(
        (run) => run.status === 'running',
      ).length;
      for (const run of runs) await client.analysis.cancel.mutate({ runId: run.id, reason: 'benchmark over' });
      const healthz = distribution(loaded.healthz);
      const query = distribution(loaded.query);
      const idleHealthz = distribution(idle.healthz);
      const idleQuery = distribution(idle.query);
      const eventLoopDelayP99 = round(loopDelay.percentile(99) / 1e6);
      log(
        `under load (${concurrency} runs, ${stillRunning} still running at the end): healthz ${JSON.stringify(healthz)}`,
      );
      log(`query ${JSON.stringify(query)}; idle healthz p99 ${idleHealthz.p99}, query p99 ${idleQuery.p99}`);
      const note = `${concurrency} runs computing; idle p50/p99`;
      return {
        name: 'responsiveness',
        rows: [
          {
            scenario: 'responsiveness',
            metric: 'GET /healthz p99 ms under full CPU load',
            ours: healthz.p99,
            target: '< 20 ms',
            met: healthz.p99 < 20,
            note: `p50 ${healthz.p50}; ${note} ${idleHealthz.p50}/${idleHealthz.p99}`,
          },
          {
            scenario: 'responsiveness',
            metric: 'tRPC analysis.history p99 ms under full CPU load',
            ours: query.p99,
            note: `p50 ${query.p50}; ${note} ${idleQuery.p50}/${idleQuery.p99}`,
          },
          {
            scenario: 'responsiveness',
            metric: 'event-loop delay p99 ms under full CPU load',
            ours: eventLoopDelayP99,
          },
        ],
        details: {
          concurrency,
          durationMs,
          runsStillComputingAtEnd: stillRunning,
          healthz,
          query,
          idle: { healthz: idleHealthz, query: idleQuery },
          eventLoopDelayP99,
        },
      };
    } finally {
      await server.close();
    }
  },
};
