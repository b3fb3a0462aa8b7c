import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

// path arithmetic, not `new URL(…, import.meta.url)`: a DOM test environment replaces `URL`
const workerFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sqlite-checkpoint-worker.mjs');

export interface SqliteCheckpoints {
  stop(): Promise<void>;
}

/**
 * Checkpoints the write-ahead log of `file` every `intervalMs` on a worker
 * thread. The writing connection turns its automatic checkpoints off while
 * this runs (`npm run bench`: throughput rose by about a fifth without them
 * on the server thread) and back on if the worker fails, so the log never
 * grows without bound.
 */
export function startSqliteCheckpoints(
  file: string,
  intervalMs: number,
  onFailure: (error: unknown) => void,
): SqliteCheckpoints {
  const worker = new Worker(workerFile, { workerData: { file, intervalMs } });
  worker.unref();
  let failed = false;
  const fail = (error: unknown) => {
    if (failed) return;
    failed = true;
    onFailure(error);
  };
  worker.on('message', (message: { error?: string }) => {
    if (message.error) fail(new Error(message.error));
  });
  worker.on('error', fail);
  let alive = true;
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      alive = false;
      resolve();
    }),
  );
  return {
    async stop() {
      failed = true; // stopping is not a failure to report
      if (alive) {
        worker.ref(); // keep the process up until the last checkpoint is done and the thread is gone
        worker.postMessage('stop');
      }
      await exited;
    },
  };
}
