import { createBullmq } from '../lib/bullmq.ts';
import { followRun } from '../lib/follow.ts';
import type { Scenario, ScenarioOptions } from '../lib/report.ts';
import { startScenarioServer } from '../lib/scenario-server.ts';
import { clockMs, distribution, ratio } from '../lib/stats.ts';

/** One run at a time on an idle server: `analysis.start` → the `started` event in a subscriber. */
async function ours(samples: number, options: ScenarioOptions): Promise<number[]> {
  const server = await startScenarioServer(options, 'sqlite');
  try {
    const client = server.client();
    const latencies: number[] = [];
    for (let i = 0; i < samples + 5; i++) {
      const began = clockMs();
      let startedSeen = 0;
      const run = await client.analysis.start.mutate({ kind: 'bench-ten-steps', input: {} });
      // from seq 0: the `started` event arrives live or from the stored timeline, whichever comes first
      await followRun(
        client,
        run.id,
        (event) => {
          if (event.type === 'started') startedSeen = clockMs();
        },
        { lastEventId: '0' },
      );
      if (i >= 5) latencies.push(startedSeen - began); // the first few warm up
    }
    return latencies;
  } finally {
    await server.close();
  }
}

/** BullMQ, one job at a time: `queue.add` → the worker's processor is called (and → QueueEvents 'active'). */
async function bullmq(samples: number): Promise<{ workerStart: number[]; activeEvent: number[] }> {
  const bull = createBullmq('start-latency');
  try {
    const events = await bull.events();
    const workerStart: number[] = [];
    const activeEvent: number[] = [];
    let began = 0;
    let onActive = () => {};
    let onCompleted = () => {};
    events.on('active', () => onActive());
    events.on('completed', () => onCompleted());
    let processorCalledAt = 0;
    await bull.worker(async () => {
      processorCalledAt = clockMs();
    }, 1);
    for (let i = 0; i < samples + 5; i++) {
      const seen = new Promise<[number, void]>((resolve) => {
        let activeAt = 0;
        onActive = () => (activeAt = clockMs());
        onCompleted = () => resolve([activeAt, undefined]);
      });
      began = clockMs();
      await bull.queue.add('ten-steps', {});
      const [activeAt] = await seen;
      if (i >= 5) {
        workerStart.push(processorCalledAt - began);
        activeEvent.push(activeAt - began);
      }
    }
    return { workerStart, activeEvent };
  } finally {
    await bull.close();
  }
}

export const startLatency: Scenario = {
  name: 'start-latency',
  describe: 'analysis.start → `started` seen by a subscriber, one run at a time, vs BullMQ add → worker start',
  async run(options) {
    const { quick, log } = options;
    const samples = quick ? 30 : 200;
    const mine = distribution(await ours(samples, options));
    log(`ours: p50 ${mine.p50} p99 ${mine.p99} ms`);
    const peer = await bullmq(samples);
    const workerStart = distribution(peer.workerStart);
    const activeEvent = distribution(peer.activeEvent);
    log(`BullMQ worker start: p50 ${workerStart.p50} p99 ${workerStart.p99} ms; 'active' event p99 ${activeEvent.p99}`);
    return {
      name: 'start-latency',
      rows: (['p50', 'p99'] as const).map((p) => ({
        scenario: 'start-latency',
        metric: `${p} ms, start → started seen (vs BullMQ add → worker start)`,
        ours: mine[p],
        peer: workerStart[p],
        ratio: ratio(mine[p], workerStart[p]),
        note: `BullMQ add → QueueEvents 'active' ${activeEvent[p]} ms`,
      })),
      details: {
        samples,
        serverInProcess: options.inProcess,
        ours: mine,
        bullmqWorkerStart: workerStart,
        bullmqActiveEvent: activeEvent,
      },
    };
  },
};
