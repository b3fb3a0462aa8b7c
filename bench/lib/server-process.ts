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
