import type { Store } from '../db/client.ts';
import type { ProgressEvent, TimelineEntry } from './interfaces.ts';
import { flushProgress, type ProgressBatch } from './store/index.ts';

type BatchKey = Pick<ProgressBatch, 'runId' | 'attempt' | 'workerId'>;

/**
 * Buffers the frequent, replaceable events of running runs (progress, logs,
 * heartbeats) and writes them for all runs together every interval, so the
 * database sees a bounded number of writes per run per second whatever the
 * analyses report. Events stay readable here until their write commits,
 * including while a transition writes them (see `take`).
 */
export class ProgressWriter {
  private pending = new Map<string, ProgressBatch>();
  private inFlight = new Map<string, ProgressBatch>();
  /** entries handed to a transition that has not committed yet */
  private readonly inTransition = new Map<string, TimelineEntry[]>();
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** database transactions issued by flushes, for measurements */
  flushes = 0;

  constructor(
    private readonly store: Store,
    private readonly intervalMs: number,
    private readonly onFenced: (runIds: string[]) => void,
    private readonly onError: (error: unknown, context: string) => void,
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
    const entries = [
      ...(this.inFlight.get(runId)?.entries ?? []),
      ...(this.inTransition.get(runId) ?? []),
      ...(this.pending.get(runId)?.entries ?? []),
    ];
    return entries.map((entry) => entry.event).sort((a, b) => a.seq - b.seq);
  }

  /**
   * Hands a run's buffered entries to a transition that writes them itself.
   * Waits for an in-flight flush of the run first, so writes stay in seq order.
   * Call `settle` once the transition committed, or `restore` if it failed.
   */
  async take(runId: string): Promise<TimelineEntry[]> {
    while (this.inFlight.has(runId) && this.flushing) await this.flushing;
    const entries = [...(this.pending.get(runId)?.entries ?? [])];
    this.pending.delete(runId);
    this.inTransition.set(runId, entries);
    return entries;
  }

  settle(runId: string): void {
    this.inTransition.delete(runId);
  }

  /** Puts a transition's entries back after its write failed. */
  restore(key: BatchKey, entries: readonly TimelineEntry[]): void {
    this.inTransition.delete(key.runId);
    this.putBack(key, entries);
  }

  /** Entries go back before anything buffered since, to keep seq order. */
  private putBack(key: BatchKey, entries: readonly TimelineEntry[]): void {
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
    this.inTransition.delete(runId);
  }

  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (this.pending.size > 0 ? this.flush() : undefined));
    if (this.pending.size === 0) return Promise.resolve();
    this.inFlight = this.pending;
    this.pending = new Map();
    const batches = [...this.inFlight.values()];
    this.flushing = (async () => {
      try {
        await this.write(batches);
      } finally {
        this.inFlight = new Map();
        this.flushing = null;
      }
    })();
    return this.flushing;
  }

  /**
   * All runs in one transaction; if that fails, each run on its own, so one
   * run's unwritable batch cannot hold back everybody else's. When every run
   * fails alike the database is the problem: everything is kept for the next flush.
   */
  private async write(batches: ProgressBatch[]): Promise<void> {
    try {
      this.flushes++;
      const { fenced } = await flushProgress(this.store, batches);
      if (fenced.length > 0) this.onFenced(fenced);
      return;
    } catch (error) {
      if (batches.length === 1) {
        this.keep(batches, error);
        return;
      }
    }
    const failed: Array<{ batch: ProgressBatch; error: unknown }> = [];
    const fenced: string[] = [];
    for (const batch of batches) {
      try {
        this.flushes++;
        fenced.push(...(await flushProgress(this.store, [batch])).fenced);
      } catch (error) {
        failed.push({ batch, error });
      }
    }
    if (fenced.length > 0) this.onFenced(fenced);
    if (failed.length === batches.length) {
      this.keep(batches, failed[0]?.error);
      return;
    }
    for (const { batch, error } of failed) {
      // published already; a resume across this hole starts from a snapshot instead
      this.onError(error, `dropped ${batch.entries.length} unwritable progress events of run ${batch.runId}`);
    }
  }

  private keep(batches: readonly ProgressBatch[], error: unknown): void {
    for (const batch of batches) this.putBack(batch, batch.entries);
    this.onError(error, 'progress flush failed (will retry)');
  }
}
