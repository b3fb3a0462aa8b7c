import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Execution, ExecutionOptions, SerializedError } from './execution.ts';
import type { FromWorker, ToWorker } from './worker-messages.ts';

// a path, not a URL: under a DOM test environment `URL` is the DOM's class, which Worker rejects
const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker-bootstrap.mjs');

class AnalysisFailure extends Error {
  readonly code: string | null;
  constructor(error: SerializedError) {
    super(error.message);
    this.name = error.name;
    this.code = error.code;
  }
}

/**
 * Threads for CPU-bound analyses, reused between runs. A thread whose run was
 * terminated (it ignored a cancel past the grace period) is thrown away.
 */
export class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Set<Worker>();
  private closed = false;

  constructor(private readonly maxIdle: number) {}

  /** A new thread that removes itself from the pool if it dies, whether busy or idle. */
  private spawn(): Worker {
    const worker = new Worker(entry);
    const discard = () => {
      const index = this.idle.indexOf(worker);
      if (index >= 0) this.idle.splice(index, 1);
      this.busy.delete(worker);
    };
    // an error after the run settled (a stray timer in analysis code) must not crash the server
    worker.on('error', () => {
      discard();
      void worker.terminate();
    });
    worker.on('exit', discard);
    return worker;
  }

  execute(module: string, input: unknown, options: ExecutionOptions): Execution {
    if (this.closed) throw new Error('worker pool is closed');
    const worker = this.idle.pop() ?? this.spawn();
    this.busy.add(worker);
    const abortFlag = new SharedArrayBuffer(4);
    let settled = false;
    let reusable = true;

    const result = new Promise<unknown>((resolve, reject) => {
      const finish = () => {
        settled = true;
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        const alive = this.busy.delete(worker);
        if (alive && reusable && !this.closed && this.idle.length < this.maxIdle) this.idle.push(worker);
        else void worker.terminate();
      };
      const onMessage = (message: FromWorker) => {
        if (message.type === 'report') return options.onReport(message.report);
        finish();
        if (message.type === 'done') resolve(message.result);
        else reject(new AnalysisFailure(message.error));
      };
      const onError = (error: Error) => {
        reusable = false;
        finish();
        reject(error);
      };
      const onExit = (code: number) => {
        reusable = false;
        finish();
        reject(new Error(`analysis worker exited with code ${code}`));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });

    const message: ToWorker = { type: 'run', module, input, progressIntervalMs: options.progressIntervalMs, abortFlag };
    worker.postMessage(message);

    return {
      result,
      abort: (reason) => {
        if (settled) return;
        Atomics.store(new Int32Array(abortFlag), 0, 1);
        worker.postMessage({ type: 'abort', reason } satisfies ToWorker);
      },
      terminate: () => {
        if (settled) return;
        reusable = false;
        void worker.terminate();
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle, ...this.busy];
    this.idle.length = 0;
    await Promise.all(all.map((worker) => worker.terminate()));
  }
}
