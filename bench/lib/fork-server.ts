import { fork } from 'node:child_process';
import path from 'node:path';
import WebSocket from 'ws';
import { createAnalysisClient } from '../../client/index.ts';
import type { BenchClient, BenchRouter } from './server.ts';
import type { ServerCommand, ServerReply } from './server-process.ts';

/** Starts `server-process.ts` in a child process (with `--expose-gc`) and talks to it over IPC. */
export async function forkBenchServer() {
  const child = fork(path.join(import.meta.dirname, 'server-process.ts'), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
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
  return {
    url,
    client: (): BenchClient => createAnalysisClient<BenchRouter>({ url, WebSocket }),
    memory: () => ask('memory', 'memory'),
    release: () => ask('release', 'released'),
    async close() {
      await ask('close', 'closed');
    },
  };
}
