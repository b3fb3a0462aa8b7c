import type { Database } from '../db/client.ts';
import type { ProgressEvent, TimelineEntry } from './interfaces.ts';
import { flushProgress, type ProgressBatch } from './store/index.ts';

type BatchKey = Pick<ProgressBatch, 'runId' | 'attempt' | 'workerId'>;

/**
 * Buffers the frequent, replaceable events of running runs (progress, logs,
 * heartbeats) and writes them for all runs together every interval, so the
 * database sees a bounded number of writes per run per second whatever the
 * analyses report. Events stay readable here until their write commits.
 */
export class ProgressWriter {
  private pending = new Map<string, ProgressBatch>();
  private inFlight = new Map<string, ProgressBatch>();
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** database transactions issued by flushes, for measurements */
  flushes = 0;

  constructor(
    private readonly db: Database,
    private readonly intervalMs: number,
    private readonly onFenced: (runIds: string[]) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  enqueue(key: BatchKey, entry: TimelineEntry): void {
    const batch = this.pending.get(key.runId);
    if (batch && batch.attempt === key.attempt) {
      (batch.entries as TimelineEntry[]).push(entry);
      batch.snapshot = entry.event.run;
    } else {
      this.pending.set(key.runId, { ...key, snapshot: entry.event.run, entries: [entry] });
    }
  }

  /** Events of a run published but not yet committed, in seq order. */
  unstoredEvents(runId: string): ProgressEvent[] {
    const entries = [...(this.inFlight.get(runId)?.entries ?? []), ...(this.pending.get(runId)?.entries ?? [])];
    return entries.map((entry) => entry.event);
  }

  /**
   * Hands a run's buffered entries to a transition that writes them itself.
   * Waits for an in-flight flush of the run first, so writes stay in seq order.
   */
  async take(runId: string): Promise<TimelineEntry[]> {
    while (this.inFlight.has(runId) && this.flushing) await this.flushing;
    const batch = this.pending.get(runId);
    this.pending.delete(runId);
    return batch ? [...batch.entries] : [];
  }

  /** Puts entries back after a transition failed to write them. */
  restore(key: BatchKey, entries: readonly TimelineEntry[]): void {
    const later = this.pending.get(key.runId);
    const last = entries.at(-1);
    if (!last) return;
    this.pending.set(key.runId, {
      ...key,
      entries: [...entries, ...(later?.entries ?? [])],
      snapshot: later?.snapshot ?? last.event.run,
    });
  }

  /** Drops what is buffered for a run whose lease is gone. */
  discard(runId: string): void {
    this.pending.delete(runId);
  }

  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (this.pending.size > 0 ? this.flush() : undefined));
    if (this.pending.size === 0) return Promise.resolve();
    this.inFlight = this.pending;
    this.pending = new Map();
    const batches = [...this.inFlight.values()];
    this.flushing = (async () => {
      try {
        this.flushes++;
        const { fenced } = await flushProgress(this.db, batches);
        if (fenced.length > 0) this.onFenced(fenced);
      } catch (error) {
        // keep the events: they go out with the next flush
        for (const batch of batches) this.restore(batch, batch.entries);
        this.onError(error);
      } finally {
        this.inFlight = new Map();
        this.flushing = null;
      }
    })();
    return this.flushing;
  }
}
