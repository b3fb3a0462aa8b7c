import type { AnalysisContext } from './define.ts';

/** What an analysis reported, after coalescing: the runner turns these into events. */
export type AnalysisReport =
  | { type: 'stage'; key: string; total: number | null; message: string | null }
  | { type: 'step'; current: number; message: string | null }
  | { type: 'log'; message: string };

const maxMessageLength = 500;

function clip(message: string): string {
  return message.length > maxMessageLength ? `${message.slice(0, maxMessageLength - 1)}…` : message;
}

/**
 * The `ctx` handed to an analysis. `step()` only records the latest position;
 * it is forwarded at most once per interval (first call at once, the last one
 * after a quiet interval), so a tight loop may call it millions of times.
 * Stage changes and logs go out immediately, after any pending step.
 */
export class ProgressReporter implements AnalysisContext {
  private current = 0;
  private message: string | null = null;
  private dirty = false;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private trailing: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    readonly signal: AbortSignal,
    private readonly send: (report: AnalysisReport) => void,
    private readonly intervalMs: number,
    /** polled on each step so CPU-bound code sees a cancel without yielding */
    private readonly abortRequested: () => boolean = () => false,
    private readonly onAbortRequested: () => void = () => {},
  ) {}

  stage(key: string, options?: { total?: number; message?: string }): void {
    if (this.closed) return;
    this.flushStep();
    this.current = 0;
    this.message = null;
    const total = options?.total;
    this.send({
      type: 'stage',
      key: String(key),
      total: typeof total === 'number' && Number.isFinite(total) && total > 0 ? total : null,
      message: options?.message === undefined ? null : clip(String(options.message)),
    });
  }

  step(current: number, message?: string): void {
    if (this.closed) return;
    if (!this.signal.aborted && this.abortRequested()) this.onAbortRequested();
    this.current = current;
    if (message !== undefined) this.message = clip(String(message));
    this.dirty = true;
    const now = performance.now();
    if (now - this.lastSentAt >= this.intervalMs) this.flushStep(now);
    else this.trailing ??= setTimeout(() => this.flushStep(), this.intervalMs).unref();
  }

  log(message: string): void {
    if (this.closed) return;
    this.flushStep();
    this.send({ type: 'log', message: clip(String(message)) });
  }

  /** Sends what is pending and stops forwarding: called when `run` settles. */
  close(): void {
    this.flushStep();
    this.closed = true;
  }

  private flushStep(now = performance.now()): void {
    if (this.trailing) {
      clearTimeout(this.trailing);
      this.trailing = null;
    }
    if (!this.dirty) return;
    this.dirty = false;
    this.lastSentAt = now;
    this.send({ type: 'step', current: this.current, message: this.message });
  }
}
