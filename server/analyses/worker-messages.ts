import type { AnalysisReport } from './progress-reporter.ts';
import type { SerializedError } from './execution.ts';

export type ToWorker =
  | {
      type: 'run';
      module: string;
      input: unknown;
      progressIntervalMs: number;
      /** Int32 flag set to 1 on abort: read by `ctx.step()` inside CPU-bound loops */
      abortFlag: SharedArrayBuffer;
    }
  | { type: 'abort'; reason: string };

export type FromWorker =
  | { type: 'report'; report: AnalysisReport }
  | { type: 'done'; result: unknown }
  | { type: 'error'; error: SerializedError };
