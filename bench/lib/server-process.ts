/**
 * A bench server in a process of its own, so its memory can be measured
 * apart from the clients': started by `forkBenchServer`, driven over IPC.
 */
import type { DatabaseProvider } from '../../server/db/client.ts';
import { releaseHeldRuns } from '../analyses.ts';
import { startBenchServer } from './server.ts';

export type ServerCommand = 'memory' | 'release' | 'close';
export type ServerReply =
  | { type: 'listening'; url: string }
  | { type: 'memory'; rss: number; heapUsed: number }
  | { type: 'released' }
  | { type: 'closed' };

const send = (reply: ServerReply) => process.send?.(reply);
const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => {});

const server = await startBenchServer((process.env.BENCH_PROVIDER ?? 'sqlite') as DatabaseProvider);
process.on('message', (command: ServerCommand) => {
  if (command === 'memory') {
    collectGarbage();
    const { rss, heapUsed } = process.memoryUsage();
    send({ type: 'memory', rss, heapUsed });
  } else if (command === 'release') {
    releaseHeldRuns();
    send({ type: 'released' });
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
