import type { DatabaseProvider } from '../../server/db/client.ts';
import { followRun } from '../lib/follow.ts';
import type { ResultRow, Scenario } from '../lib/report.ts';
import { startBenchServer } from '../lib/server.ts';
import { round } from '../lib/stats.ts';

interface StatementCounts {
  reads: number;
  writes: number;
  commits: number;
}

async function statements(url: string): Promise<StatementCounts> {
  const response = await fetch(`${url}/healthz`);
  return ((await response.json()) as { statements: StatementCounts }).statements;
}

/** One run calling `ctx.step()` `steps` times over `durationMs`; statements counted by /healthz around it. */
async function measure(provider: DatabaseProvider, steps: number, durationMs: number) {
  const server = await startBenchServer(provider);
  try {
    const client = server.client();
    const before = await statements(server.url);
    const run = await client.analysis.start.mutate({ kind: 'bench-many-steps', input: { steps, durationMs } });
    let events = 0;
    const end = await followRun(client, run.id, () => events++);
    if (end.run.status !== 'completed') throw new Error(`run ended ${end.run.status}`);
    const after = await statements(server.url);
    const done = await client.analysis.get.query({ runId: run.id });
    const seconds = (done.finishedAt!.getTime() - done.startedAt!.getTime()) / 1000;
    const writes = after.writes - before.writes;
    return {
      provider,
      steps,
      runSeconds: round(seconds, 2),
      writes,
      commits: after.commits - before.commits,
      writesPerRunSecond: round(writes / seconds, 1),
      stepsPerSecond: round(steps / seconds, 0),
      eventsDelivered: events,
      eventsPerSecond: round(events / seconds, 1),
    };
  } finally {
    await server.close();
  }
}

export const writeAmplification: Scenario = {
  name: 'write-amplification',
  describe: '1,000,000 ctx.step() calls in one run: SQL writes per run-second, events per second',
  async run({ quick, log }) {
    const steps = 1_000_000;
    const durationMs = quick ? 3000 : 10_000;
    const rows: ResultRow[] = [];
    const details: Record<string, unknown> = {};
    for (const provider of quick ? (['sqlite'] as const) : (['sqlite', 'postgresql'] as const)) {
      const result = await measure(provider, steps, durationMs);
      log(`${provider}: ${JSON.stringify(result)}`);
      details[provider] = result;
      rows.push(
        {
          scenario: 'write-amplification',
          metric: `SQL writes per run-second, ${provider} (${result.stepsPerSecond} steps/s)`,
          ours: result.writesPerRunSecond,
          target: '≤ 10',
          met: result.writesPerRunSecond <= 10,
          note: `${result.writes} writes, ${result.commits} commits in ${result.runSeconds} s`,
        },
        {
          scenario: 'write-amplification',
          metric: `events delivered per second, ${provider}`,
          ours: result.eventsPerSecond,
          note: `${result.eventsDelivered} events`,
        },
      );
    }
    return { name: 'write-amplification', rows, details };
  },
};
