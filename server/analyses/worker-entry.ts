import { parentPort } from 'node:worker_threads';
import type { AnyAnalysis } from './define.ts';
import { abortError, serializeError } from './execution.ts';
import { ProgressReporter } from './progress-reporter.ts';
import type { FromWorker, ToWorker } from './worker-messages.ts';

const port = parentPort;
if (!port) throw new Error('worker-entry.ts must run in a worker thread');

let controller: AbortController | null = null;
const post = (message: FromWorker) => port.postMessage(message);

function isAnalysis(value: unknown): value is AnyAnalysis {
  return typeof value === 'object' && value !== null && 'kind' in value && 'run' in value;
}

async function runOne(message: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const own = new AbortController();
  controller = own;
  const flag = new Int32Array(message.abortFlag);
  const abort = () => own.abort(abortError('aborted'));
  const reporter = new ProgressReporter(
    own.signal,
    (report) => post({ type: 'report', report }),
    message.progressIntervalMs,
    () => Atomics.load(flag, 0) === 1,
    abort,
  );
  try {
    const module = (await import(message.module)) as { default?: unknown };
    const loaded = module.default;
    if (!isAnalysis(loaded)) throw new Error(`${message.module} has no default-exported analysis`);
    const result = await loaded.run(message.input, reporter);
    reporter.close();
    post({ type: 'done', result });
  } catch (error) {
    reporter.close();
    post({ type: 'error', error: serializeError(error) });
  } finally {
    controller = null;
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'run') void runOne(message);
  else controller?.abort(abortError(message.reason));
});
