/**
 * A bench server in a process of its own, so that neither its CPU nor its
 * memory is shared with the benchmark's clients: started by
 * `forkBenchServer`, driven over IPC. Argument 2 is the JSON of
 * `ServerProcessOptions`.
 */
import type { DatabaseProvider } from '../../server/db/client.ts';
import { releaseHeldRuns } from '../analyses.ts';
import { startBenchServer } from './server.ts';
import { clockMs } from './stats.ts';

export interface ServerProcessOptions {
  provider: DatabaseProvider;
  /** configuration on top of the product defaults, as environment variables */
  env: Record<string, string>;
}

export type ServerCommand = 'memory' | 'release' | 'clock' | 'close';
export type ServerReply =
  | { type: 'listening'; url: string }
  | { type: 'memory'; rss: number; heapUsed: number }
  | { type: 'released' }
  | { type: 'clock'; at: number }
  | { type: 'closed' };

const send = (reply: ServerReply) => process.send?.(reply);
const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => {});

const options = JSON.parse(process.argv[2] ?? '{}') as Partial<ServerProcessOptions>;
const server = await startBenchServer(options.provider ?? 'sqlite', options.env ?? {});
process.on('message', (command: ServerCommand) => {
  if (command === 'memory') {
    collectGarbage();
    const { rss, heapUsed } = process.memoryUsage();
    send({ type: 'memory', rss, heapUsed });
  } else if (command === 'release') {
    releaseHeldRuns();
    send({ type: 'released' });
  } else if (command === 'clock') {
    send({ type: 'clock', at: clockMs() });
  } else if (command === 'close') {
    void server.close().then(() => {
      send({ type: 'closed' });
      process.exit(0);
    });
  }
});
// the benchmark died without saying goodbye: do not linger as an orphan
process.on('disconnect', () => process.exit(1));
send({ type: 'listening', url: server.url });
if (process.env.BENCH_ELU) {
  const { performance } = await import('node:perf_hooks');
  let last = performance.eventLoopUtilization();
  let lastCpu = process.cpuUsage();
  setInterval(() => {
    const now = performance.eventLoopUtilization();
    const cpu = process.cpuUsage(lastCpu);
    const elu = performance.eventLoopUtilization(now, last);
    console.error(`[elu] ${elu.utilization.toFixed(2)} cpu ${((cpu.user + cpu.system) / 5000).toFixed(0)}% active=${server.app.runner.activeRuns}`);
    last = now;
    lastCpu = process.cpuUsage();
  }, 500).unref();
}
if (process.env.BENCH_ELU) setInterval(() => { const s = (globalThis as any).__stats; if (s) console.error('[stats]', JSON.stringify({ readMs: (s.readMs / s.reads).toFixed(2), claimMs: (s.claimMs / s.cycles).toFixed(2), perCycle: (s.claims / s.cycles).toFixed(2), free: (s.free/s.reads).toFixed(2), runMs: (s.runMs / s.runs).toFixed(2), runs: s.runs })); }, 1000).unref();
