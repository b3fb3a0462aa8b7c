import { fork } from 'node:child_process';
import path from 'node:path';
import WebSocket from 'ws';
import { closeAnalysisClient, createAnalysisClient } from '../../client/index.ts';
import type { DatabaseProvider } from '../../server/db/client.ts';
import type { BenchClient, BenchRouter } from './server.ts';
import type { ServerCommand, ServerProcessOptions, ServerReply } from './server-process.ts';
import { clockMs, round } from './stats.ts';

/**
 * Starts `server-process.ts` in a child process (with `--expose-gc`) and
 * talks to it over IPC: the same server as `startBenchServer` (bench
 * analyses, product defaults except `env`), reached from this process only
 * through `client()`.
 */
export async function forkBenchServer(provider: DatabaseProvider = 'sqlite', env: Record<string, string> = {}) {
  const options: ServerProcessOptions = { provider, env };
  const child = fork(path.join(import.meta.dirname, 'server-process.ts'), [JSON.stringify(options)], {
    execArgv: [
      '--import',
      'tsx',
      '--expose-gc',
      // a CPU profile of the server for each scenario server, written where the variable says
      ...(process.env.BENCH_SERVER_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SERVER_CPU_PROF}`]
        : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const replies: ServerReply[] = [];
  let waiting: (() => void) | null = null;
  child.on('message', (reply: ServerReply) => {
    replies.push(reply);
    waiting?.();
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`bench server process exited (${code})`))),
  );
  exited.catch(() => {});
  const next = async <T extends ServerReply['type']>(type: T): Promise<Extract<ServerReply, { type: T }>> => {
    for (;;) {
      const index = replies.findIndex((reply) => reply.type === type);
      if (index >= 0) return replies.splice(index, 1)[0] as Extract<ServerReply, { type: T }>;
      await Promise.race([new Promise<void>((resolve) => (waiting = resolve)), exited]);
    }
  };
  const ask = <T extends ServerReply['type']>(command: ServerCommand, type: T) => {
    child.send(command);
    return next(type);
  };
  const { url } = await next('listening');
  const clients: BenchClient[] = [];
  return {
    url,
    client(): BenchClient {
      const client = createAnalysisClient<BenchRouter>({ url, WebSocket });
      clients.push(client);
      return client;
    },
    memory: () => ask('memory', 'memory'),
    release: () => ask('release', 'released'),
    /**
     * How far the child's `clockMs()` is ahead of this process's, from the
     * IPC ping with the shortest round trip; `uncertaintyMs` is half that
     * round trip (the reading was taken somewhere inside it).
     */
    async clockOffset(pings = 20): Promise<{ offsetMs: number; uncertaintyMs: number }> {
      let offsetMs = 0;
      let uncertaintyMs = Number.POSITIVE_INFINITY;
      for (let i = 0; i < pings; i++) {
        const sent = clockMs();
        const { at } = await ask('clock', 'clock');
        const halfRoundTrip = (clockMs() - sent) / 2;
        if (halfRoundTrip < uncertaintyMs) {
          uncertaintyMs = halfRoundTrip;
          offsetMs = at - (sent + halfRoundTrip);
        }
      }
      return { offsetMs: round(offsetMs, 3), uncertaintyMs: round(uncertaintyMs, 3) };
    },
    /** Closes every client made by `client()`, then the server (which drops its database) and its process. */
    async close() {
      for (const client of clients) closeAnalysisClient(client);
      await ask('close', 'closed');
    },
  };
}

export type ForkedBenchServer = Awaited<ReturnType<typeof forkBenchServer>>;
