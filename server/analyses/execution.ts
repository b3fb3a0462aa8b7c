import type { AnyAnalysis } from './define.ts';
import { cleanText, ProgressReporter, type AnalysisReport } from './progress-reporter.ts';

/** One analysis call in progress, wherever it runs. */
export interface Execution {
  /** settles with the analysis's return value or its error */
  readonly result: Promise<unknown>;
  /** fires the analysis's AbortSignal */
  abort(reason: string): void;
  /** gives up on the work for good (a worker thread is terminated; in-process code is abandoned) */
  terminate(): void;
}

export interface ExecutionOptions {
  onReport(report: AnalysisReport): void;
  progressIntervalMs: number;
}

/** Error details that survive a thread boundary and a database row. */
export interface SerializedError {
  name: string;
  message: string;
  code: string | null;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: cleanText(error.message),
      code: typeof code === 'string' ? cleanText(code) : null,
    };
  }
  return { name: 'Error', message: cleanText(String(error)), code: null };
}

export function abortError(reason: string): Error {
  return new DOMException(reason, 'AbortError');
}

/** Runs an analysis on the main thread: for analyses that mostly wait on I/O. */
export function executeInProcess(analysis: AnyAnalysis, input: unknown, options: ExecutionOptions): Execution {
  const controller = new AbortController();
  const reporter = new ProgressReporter(
    controller.signal,
    (report) => options.onReport(report),
    options.progressIntervalMs,
  );
  const result = (async () => {
    try {
      return await analysis.run(input, reporter);
    } finally {
      reporter.close();
    }
  })();
  return {
    result,
    abort: (reason) => controller.abort(abortError(reason)),
    terminate: () => reporter.close(),
  };
}
