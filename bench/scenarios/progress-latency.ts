import { createBullmq } from '../lib/bullmq.ts';
import { followRun } from '../lib/follow.ts';
import type { ResultRow, Scenario, ScenarioOptions } from '../lib/report.ts';
import { startScenarioServer } from '../lib/scenario-server.ts';
import { clockMs, distribution, ratio, round, sleep, type Distribution } from '../lib/stats.ts';
import { measureWsEcho } from '../lib/ws-echo.ts';

interface Load {
  runs: number;
  subscribersPerRun: number;
  steps: number;
  stepMs: number;
}

/** BullMQ's jobs wait as long before their first step: every job is active by then */
const startDelayMs = 1500;

interface OurRound {
  samples: number[];
  /** the server process's clock minus this one's: a sample's error from the two clocks */
  clockOffset: { offsetMs: number; uncertaintyMs: number };
}

/**
 * `runs` concurrent stamped-step runs, each followed by `subscribersPerRun`
 * clients (one WebSocket each, every client follows every run). A sample is
 * the age of the step a `progress` event shows when it arrives: the server
 * process stamps the step with its wall clock, this process reads its own.
 */
async function ours(load: Load, options: ScenarioOptions): Promise<OurRound> {
  const server = await startScenarioServer(options, 'sqlite', { MAX_CONCURRENCY: String(load.runs) });
  try {
    const clockOffset = await server.clockOffset();
    const starter = server.client();
    const subscribers = Array.from({ length: load.subscribersPerRun }, () => server.client());
    const samples: number[] = [];
    const runs = await Promise.all(
      Array.from({ length: load.runs }, () =>
        starter.analysis.start.mutate({
          kind: 'bench-stamped-steps',
          input: { steps: load.steps, stepMs: load.stepMs, waitForRelease: true },
        }),
      ),
    );
    // the steps begin once every subscriber sees its run waiting: opening 1000 subscriptions takes seconds under load
    const waiting: Array<Promise<void>> = [];
    const ends = runs.flatMap((run) =>
      subscribers.map((client) => {
        let seenWaiting = () => {};
        waiting.push(new Promise<void>((resolve) => (seenWaiting = resolve)));
        return followRun(client, run.id, (event) => {
          if (event.run.stage) seenWaiting();
          if (event.type === 'progress' && event.run.message) samples.push(clockMs() - Number(event.run.message));
        });
      }),
    );
    // (a subscription that fails ends the wait too)
    await Promise.race([Promise.all(waiting), Promise.all(ends)]);
    await server.release();
    await Promise.all(ends);
    return { samples, clockOffset };
  } finally {
    await server.close();
  }
}

/** BullMQ: the same runs as jobs; `job.updateProgress({ at })`, seen by `subscribersPerRun` QueueEvents listeners. */
async function bullmq(load: Load): Promise<number[]> {
  const bull = createBullmq('progress-latency');
  try {
    const samples: number[] = [];
    let completed = 0;
    const listeners = await Promise.all(Array.from({ length: load.subscribersPerRun }, () => bull.events()));
    const allDone = new Promise<void>((resolve) => {
      for (const listener of listeners) {
        listener.on('progress', ({ data }) => samples.push(clockMs() - (data as { at: number }).at));
        listener.on('completed', () => {
          if (++completed === load.runs * listeners.length) resolve();
        });
      }
    });
    await bull.worker(async (job) => {
      await sleep(startDelayMs);
      for (let step = 1; step <= load.steps; step++) {
        await sleep(load.stepMs);
        await job.updateProgress({ step, at: clockMs() });
      }
    }, load.runs);
    await Promise.all(Array.from({ length: load.runs }, () => bull.queue.add('stamped-steps', {})));
    await allDone;
    return samples;
  } finally {
    await bull.close();
  }
}

function row(metric: string, ours: Distribution, peer: Distribution, target?: string, met?: boolean): ResultRow {
  return {
    scenario: 'progress-latency',
    metric,
    ours: ours.p99,
    peer: peer.p99,
    ratio: ratio(ours.p99, peer.p99),
    ...(target !== undefined && { target, met }),
    note: `p50 ${ours.p50} / ${peer.p50} ms`,
  };
}

export const progressLatency: Scenario = {
  name: 'progress-latency',
  describe:
    'ctx.step() → progress event in a WebSocket client, 100 runs × 10 subscribers, vs BullMQ and a bare ws echo',
  async run(options) {
    const { quick, log } = options;
    const load: Load = quick
      ? { runs: 50, subscribersPerRun: 5, steps: 5, stepMs: 200 }
      : { runs: 100, subscribersPerRun: 10, steps: 10, stepMs: 200 };
    const coalescedLoad = { ...load, steps: quick ? 50 : 100, stepMs: 10 };
    // each side's best round by p99: other load on the shared machine only ever adds latency
    const best = (a: Distribution | null, b: Distribution) => (a && a.p99 <= b.p99 ? a : b);
    let echo: Distribution | null = null;
    let leading: Distribution | null = null;
    let coalesced: Distribution | null = null;
    let peer: Distribution | null = null;
    const clockOffsets: Array<OurRound['clockOffset']> = [];
    const measureOurs = async (oursLoad: Load) => {
      const measured = await ours(oursLoad, options);
      clockOffsets.push(measured.clockOffset);
      return distribution(measured.samples);
    };
    for (let round = 0; round < (quick ? 1 : 2); round++) {
      const echoRound = distribution(await measureWsEcho(load.subscribersPerRun, load.runs, load.steps, load.stepMs));
      log(`ws echo round trip p50 ${echoRound.p50} p99 ${echoRound.p99} ms`);
      const leadingRound = await measureOurs(load);
      log(
        `ours, steps ${load.stepMs} ms apart: p50 ${leadingRound.p50} p99 ${leadingRound.p99} ms (n ${leadingRound.n})`,
      );
      const peerRound = distribution(await bullmq(load));
      log(`BullMQ: p50 ${peerRound.p50} p99 ${peerRound.p99} ms (n ${peerRound.n})`);
      const coalescedRound = await measureOurs(coalescedLoad);
      log(`ours, steps 10 ms apart: p50 ${coalescedRound.p50} p99 ${coalescedRound.p99} ms (n ${coalescedRound.n})`);
      echo = best(echo, echoRound);
      leading = best(leading, leadingRound);
      peer = best(peer, peerRound);
      coalesced = best(coalesced, coalescedRound);
    }
    if (!echo || !leading || !peer || !coalesced) throw new Error('no progress-latency round ran');
    const worstOffset = round(
      Math.max(...clockOffsets.map((clock) => Math.abs(clock.offsetMs) + clock.uncertaintyMs)),
      3,
    );
    log(`server process clock vs this one: within ${worstOffset} ms (${JSON.stringify(clockOffsets)})`);
    const shape = `${load.runs} runs × ${load.subscribersPerRun} subscribers`;
    return {
      name: 'progress-latency',
      rows: [
        row(
          `p99 ms, steps ${load.stepMs} ms apart (${shape}) vs BullMQ`,
          leading,
          peer,
          '≤ BullMQ p99',
          leading.p99 <= peer.p99,
        ),
        {
          scenario: 'progress-latency',
          metric: `p99 ms, steps ${load.stepMs} ms apart vs bare ws echo (round trip)`,
          ours: leading.p99,
          peer: echo.p99,
          ratio: ratio(leading.p99, echo.p99),
          target: '≤ 10× ws echo p99',
          met: leading.p99 <= 10 * echo.p99,
          note: `echo p50 ${echo.p50} ms`,
        },
        row(`p99 ms, steps 10 ms apart (coalesced to 1 per 100 ms) vs BullMQ`, coalesced, peer),
      ],
      details: {
        load,
        serverInProcess: options.inProcess,
        clockOffsets,
        echo,
        ours: leading,
        oursCoalesced: { load: coalescedLoad, ...coalesced },
        bullmq: peer,
      },
    };
  },
};
