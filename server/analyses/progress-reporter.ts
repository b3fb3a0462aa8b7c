import type { AnalysisContext } from './define.ts';

/** What an analysis reported, after coalescing: the runner turns these into events. */
export type AnalysisReport =
  | { type: 'stage'; key: string; total: number | null; message: string | null }
  | { type: 'step'; current: number; message: string | null }
  | { type: 'log'; message: string };

const maxMessageLength = 500;

/** Bounded, and without NUL characters (PostgreSQL text and jsonb refuse them). */
export function cleanText(text: string): string {
  const clean = text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
  return clean.length > maxMessageLength ? `${clean.slice(0, maxMessageLength - 1)}…` : clean;
}

function finiteNumber(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * The `ctx` handed to an analysis. `step()` and `log()` only record the latest
 * call; each is forwarded at most once per interval (the first at once, the
 * last after a quiet interval), so a tight loop may call them millions of
 * times. Logs dropped that way are counted in the one that is sent. Stage
 * changes go out immediately, after whatever is pending.
 */
export class ProgressReporter implements AnalysisContext {
  private current = 0;
  private message: string | null = null;
  private stepPending = false;
  private lastStepAt = Number.NEGATIVE_INFINITY;
  private pendingLog: { message: string; dropped: number } | null = null;
  private lastLogAt = Number.NEGATIVE_INFINITY;
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
    this.flush();
    this.current = 0;
    this.message = null;
    const total = finiteNumber(options?.total);
    this.send({
      type: 'stage',
      key: String(key),
      total: total > 0 ? total : null,
      message: options?.message === undefined ? null : cleanText(String(options.message)),
    });
  }

  step(current: number, message?: string): void {
    if (this.closed) return;
    if (!this.signal.aborted && this.abortRequested()) this.onAbortRequested();
    this.current = finiteNumber(current);
    if (message !== undefined) this.message = cleanText(String(message));
    this.stepPending = true;
    const now = performance.now();
    if (now - this.lastStepAt >= this.intervalMs) this.flush(now);
    else this.scheduleTrailing();
  }

  log(message: string): void {
    if (this.closed) return;
    this.pendingLog = {
      message: cleanText(String(message)),
      dropped: this.pendingLog ? this.pendingLog.dropped + 1 : 0,
    };
    const now = performance.now();
    if (now - this.lastLogAt >= this.intervalMs) this.flush(now);
    else this.scheduleTrailing();
  }

  /** Sends what is pending and stops forwarding: called when `run` settles. */
  close(): void {
    this.flush();
    this.closed = true;
  }

  private scheduleTrailing(): void {
    this.trailing ??= setTimeout(() => this.flush(), this.intervalMs).unref();
  }

  private flush(now = performance.now()): void {
    if (this.trailing) {
      clearTimeout(this.trailing);
      this.trailing = null;
    }
    if (this.stepPending) {
      this.stepPending = false;
      this.lastStepAt = now;
      this.send({ type: 'step', current: this.current, message: this.message });
    }
    if (this.pendingLog) {
      const { message, dropped } = this.pendingLog;
      this.pendingLog = null;
      this.lastLogAt = now;
      this.send({ type: 'log', message: dropped > 0 ? `${message} (+${dropped} earlier lines)` : message });
    }
  }
}
