import { randomUUID } from 'node:crypto';
import { runErrorCodes } from '../../shared/error-codes.ts';
import type { CancelOutcome } from '../../shared/run.ts';
import { isTerminal } from '../../shared/run.ts';
import type { AnyAnalysis } from '../analyses/define.ts';
import { executeInProcess, type Execution } from '../analyses/execution.ts';
import type { AnalysisReport } from '../analyses/progress-reporter.ts';
import type { AnalysisRegistry } from '../analyses/registry.ts';
import { WorkerPool } from '../analyses/worker-pool.ts';
import type { Store } from '../db/client.ts';
import type { RunEventBus } from './event-bus.ts';
import type { ProgressEvent, RunRow, RunSnapshot, StoredStage } from './interfaces.ts';
import { KeyedLock } from './keyed-lock.ts';
import { ProgressWriter } from './progress-writer.ts';
import { RunHandle } from './run-handle.ts';
import { snapshotFromRow, storedStages } from './snapshot.ts';
import { commitTransition, findOverdueCancels, findStalledRuns, getRun, listQueuedRuns } from './store/index.ts';
import {
  cancellingSnapshot,
  closeRunningStage,
  finishedSnapshot,
  requeuedSnapshot,
  resetStages,
  startedSnapshot,
  timelineEntry,
} from './transitions.ts';

export interface RunnerOptions {
  store: Store;
  bus: RunEventBus;
  registry: AnalysisRegistry;
  maxConcurrency: number;
  heartbeatMs: number;
  stallTimeoutMs: number;
  cancelGraceMs: number;
  progressIntervalMs: number;
  flushIntervalMs: number;
  pollIntervalMs: number;
  log?: (message: string) => void;
}

const retriesOnConflict = 5;

/**
 * Runs queued runs on this server: claims them in creation order up to
 * `maxConcurrency`, owns them while they execute, accepts cancels, fails or
 * re-queues runs whose heartbeat stopped, and hands runs back on shutdown.
 */
export class Runner {
  readonly workerId = `runner-${randomUUID()}`;
  private readonly handles = new Map<string, RunHandle>();
  private readonly locks = new KeyedLock();
  private readonly writer: ProgressWriter;
  private readonly pool: WorkerPool;
  private readonly timers: NodeJS.Timeout[] = [];
  /** cancel deadlines of runs no handle here owns */
  private readonly deadlines = new Map<string, NodeJS.Timeout>();
  private claiming: Promise<void> | null = null;
  private claimAgain = false;
  /**
   * Runs this server created and has not claimed yet, oldest first: claimed
   * from here without reading the queue back from the database, as long as
   * the database cannot hold an older queued run (see `queueUnknown`).
   */
  private readonly createdHere = new Map<string, RunRow>();
  /**
   * True until a read of the queue found no run but this server's own (or
   * none), and again whenever a run may have been queued behind its back: a
   * re-queue, or another server's start (looked for every POLL_INTERVAL_MS).
   */
  private queueUnknown = true;
  private stopping = false;

  constructor(private readonly options: RunnerOptions) {
    this.writer = new ProgressWriter(
      options.store,
      options.flushIntervalMs,
      (runIds) => runIds.forEach((runId) => this.handles.get(runId)?.letGo()),
      (error, context) => this.log(`${context}: ${String(error)}`),
    );
    this.pool = new WorkerPool(options.maxConcurrency);
  }

  get activeRuns(): number {
    return this.handles.size;
  }

  /** database transactions spent on batched progress so far */
  get progressFlushes(): number {
    return this.writer.flushes;
  }

  start(): void {
    this.writer.start();
    const scanEvery = Math.min(10_000, Math.max(50, Math.floor(this.options.stallTimeoutMs / 3)));
    this.timers.push(
      setInterval(() => {
        this.queueUnknown = true;
        this.wake();
      }, this.options.pollIntervalMs),
    );
    this.timers.push(setInterval(() => void this.scanForStalledRuns(), scanEvery));
    for (const timer of this.timers) timer.unref();
    void this.scanForStalledRuns();
    this.wake();
  }

  /** A run this server just created (and stored): claimed in creation order with the stored queue. */
  enqueue(row: RunRow): void {
    this.createdHere.set(row.id, row);
    this.wake();
  }

  /** Looks for queued runs now (called after a start, a finish, and on a timer). */
  wake(): void {
    if (this.stopping) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = (async () => {
      do {
        this.claimAgain = false;
        try {
          await this.claimQueuedRuns();
        } catch (error) {
          this.log(`claiming queued runs failed: ${String(error)}`);
        }
      } while (this.claimAgain && !this.stopping);
      this.claiming = null;
    })();
  }

  /** The freshest snapshot of a run this server is executing (the database may lag by one flush). */
  liveSnapshot(runId: string): RunSnapshot | null {
    return this.handles.get(runId)?.current ?? null;
  }

  /**
   * A row of a run this server holds, queued here or executing here, as read
   * when it got here: as good as a fresh read for who owns the run, and for
   * its state whenever `liveSnapshot` has nothing newer. Saves a subscription
   * its database read.
   */
  heldRow(runId: string): RunRow | null {
    return this.createdHere.get(runId) ?? this.handles.get(runId)?.claimedRow ?? null;
  }

  /** The live snapshot together with its stage timeline, taken at the same moment. */
  liveState(runId: string): { snapshot: RunSnapshot; stages: readonly StoredStage[] } | null {
    const handle = this.handles.get(runId);
    return handle ? { snapshot: handle.current, stages: handle.currentStages } : null;
  }

  /** Events of a run published but not yet written. */
  unstoredEvents(runId: string): ProgressEvent[] {
    return this.writer.unstoredEvents(runId);
  }

  async cancel(row: RunRow, reason: string | null): Promise<{ run: RunSnapshot; outcome: CancelOutcome }> {
    return this.locks.run(row.id, async () => {
      let current: RunRow | null = row;
      for (let attempt = 0; attempt < retriesOnConflict && current; attempt++) {
        if (isTerminal(current.status)) return { run: snapshotFromRow(current), outcome: 'already-finished' };
        const handle = this.handles.get(current.id);
        if (handle) {
          const run = await handle.cancel(reason);
          if (isTerminal(run.status)) return { run, outcome: 'already-finished' };
          if (run.status === 'running' && run.cancelRequested) return { run, outcome: 'cancelling' };
          // the handle let go of the run first (shutdown re-queued it): cancel the stored run instead
          await handle.done;
          current = await getRun(this.options.store, row.id);
          continue;
        }
        if (current.status === 'running' && current.cancelRequested) {
          this.finalizeCancelAfterGrace(current.id); // e.g. accepted by a server that has since stopped
          return { run: snapshotFromRow(current), outcome: 'cancelling' };
        }
        const before = snapshotFromRow(current);
        const now = new Date();
        if (current.status === 'queued') {
          const after = finishedSnapshot(cancellingSnapshot(before, reason, now), 'cancelled', now);
          after.seq = before.seq + 1;
          if (await this.commitStored(current, 'cancelled', before, after)) return { run: after, outcome: 'cancelled' };
        } else {
          const after = cancellingSnapshot(before, reason, now);
          if (await this.commitStored(current, 'cancelling', before, after)) {
            this.finalizeCancelAfterGrace(current.id);
            return { run: after, outcome: 'cancelling' };
          }
        }
        current = await getRun(this.options.store, row.id);
      }
      throw new Error(`run ${row.id} kept changing while it was being cancelled`);
    });
  }

  /** Stops claiming, lets running runs finish for `graceMs`, then re-queues the rest. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const timer of this.deadlines.values()) clearTimeout(timer);
    await this.claiming;
    const running = [...this.handles.values()];
    let graceTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(running.map((handle) => handle.done)),
      new Promise((resolve) => (graceTimer = setTimeout(resolve, graceMs))),
    ]);
    clearTimeout(graceTimer);
    await Promise.all([...this.handles.values()].map((handle) => handle.interrupt()));
    // a cancel that raced the interrupt finishes against the stored run before the database closes
    await this.locks.idle();
    await this.writer.stop();
    await this.pool.close();
  }

  private async claimQueuedRuns(): Promise<void> {
    const free = this.options.maxConcurrency - this.handles.size;
    if (free <= 0) return;
    let candidates: RunRow[];
    if (this.queueUnknown) {
      candidates = await listQueuedRuns(this.options.store, free);
      // the oldest queued runs are the oldest this server created: nothing else is waiting ahead of them
      if (candidates.length < free || candidates.every((row) => this.createdHere.has(row.id)))
        this.queueUnknown = false;
    } else {
      candidates = [...this.createdHere.values()].slice(0, free);
    }
    for (const row of candidates) this.createdHere.delete(row.id);
    if (this.stopping) return;
    // at most `free` candidates, claimed together: their writes share a commit
    await Promise.all(candidates.map((row) => this.locks.run(row.id, () => this.claim(row))));
    if (candidates.length === free || (!this.queueUnknown && this.createdHere.size > 0)) this.claimAgain = true;
  }

  private async claim(row: RunRow): Promise<void> {
    const analysis = this.options.registry.get(row.kind);
    const before = snapshotFromRow(row);
    const now = new Date();
    if (!analysis) {
      const after = finishedSnapshot(before, 'failed', now, {
        error: { code: runErrorCodes.unknownKind, message: `no analysis of kind "${row.kind}" is registered` },
      });
      await this.commitStored(row, 'failed', before, after);
      return;
    }
    const after = startedSnapshot(before, now);
    const stages = resetStages(storedStages(row));
    const entry = timelineEntry('started', before, after);
    const claimed = await commitTransition(this.options.store, {
      runId: row.id,
      guard: { status: 'queued', seq: row.seq, cancelRequested: false },
      snapshot: after,
      entries: [entry],
      stages,
      workerId: this.workerId,
    });
    if (!claimed) return;
    this.options.bus.publish(entry.event);
    const handle = new RunHandle(row, after, stages, analysis, {
      store: this.options.store,
      bus: this.options.bus,
      writer: this.writer,
      workerId: this.workerId,
      heartbeatMs: this.options.heartbeatMs,
      stallTimeoutMs: this.options.stallTimeoutMs,
      cancelGraceMs: this.options.cancelGraceMs,
      execute: (definition, input, onReport) => this.execute(definition, input, onReport),
      onError: (error, context) => this.log(`${context}: ${String(error)}`),
    });
    this.handles.set(row.id, handle);
    void handle.done.then(() => {
      this.handles.delete(row.id);
      if (handle.current.status === 'queued') this.queueUnknown = true; // re-queued on shutdown
      this.wake();
    });
    handle.start();
  }

  private execute(analysis: AnyAnalysis, input: unknown, onReport: (report: AnalysisReport) => void): Execution {
    const options = { onReport, progressIntervalMs: this.options.progressIntervalMs };
    return analysis.workerModule
      ? this.pool.execute(analysis.workerModule, input, options)
      : executeInProcess(analysis, input, options);
  }

  /** A transition of a run no handle here owns: guarded by its stored seq. */
  private async commitStored(
    row: RunRow,
    type: 'cancelled' | 'cancelling' | 'failed' | 'queued',
    before: RunSnapshot,
    after: RunSnapshot,
  ): Promise<boolean> {
    const entry = timelineEntry(type, before, after);
    const stages = storedStages(row);
    const ok = await commitTransition(this.options.store, {
      runId: row.id,
      guard: { status: row.status, seq: row.seq, attempt: row.attempt, cancelRequested: row.cancelRequested },
      snapshot: after,
      entries: [entry],
      stages:
        type === 'queued'
          ? resetStages(stages)
          : type === 'cancelling'
            ? stages
            : closeRunningStage(stages, after.status === 'cancelled' ? 'cancelled' : 'failed', after.updatedAt),
      ...(type !== 'cancelling' && { workerId: null }),
    });
    if (ok) this.options.bus.publish(entry.event);
    if (ok && type === 'queued') this.queueUnknown = true;
    if (ok && row.status === 'queued') this.createdHere.delete(row.id); // cancelled before it started
    return ok;
  }

  /** The owner of a cancelled run may be gone or deaf: finish the run after the grace period regardless. */
  private finalizeCancelAfterGrace(runId: string): void {
    if (this.deadlines.has(runId) || this.stopping) return;
    const timer = setTimeout(() => {
      this.deadlines.delete(runId);
      void this.locks
        .run(runId, async () => {
          for (let attempt = 0; attempt < retriesOnConflict; attempt++) {
            const row = await getRun(this.options.store, runId);
            if (!row || row.status !== 'running' || this.handles.has(runId)) return;
            const before = snapshotFromRow(row);
            if (await this.commitStored(row, 'cancelled', before, finishedSnapshot(before, 'cancelled', new Date())))
              return;
          }
        })
        .catch((error: unknown) => this.log(`finalizing cancelled run ${runId} failed: ${String(error)}`));
    }, this.options.cancelGraceMs);
    timer.unref();
    this.deadlines.set(runId, timer);
  }

  /**
   * Runs whose heartbeat stopped, or whose accepted cancel is overdue with no
   * sign of life: cancelled if a cancel was accepted, re-queued if attempts
   * remain, else failed STALLED.
   */
  async scanForStalledRuns(): Promise<number> {
    if (this.stopping) return 0;
    let finished = 0;
    try {
      const now = Date.now();
      const [stalled, overdue] = await Promise.all([
        findStalledRuns(this.options.store, new Date(now - this.options.stallTimeoutMs), 100),
        findOverdueCancels(this.options.store, new Date(now - this.options.cancelGraceMs), 100),
      ]);
      const rows = new Map([...stalled, ...overdue].map((row) => [row.id, row]));
      for (const row of rows.values()) {
        if (this.handles.has(row.id)) continue;
        const ok = await this.locks.run(row.id, () => this.finishStalled(row));
        if (ok) finished++;
      }
    } catch (error) {
      this.log(`stall scan failed: ${String(error)}`);
    }
    if (finished > 0) this.wake();
    return finished;
  }

  private async finishStalled(row: RunRow): Promise<boolean> {
    const before = snapshotFromRow(row);
    const now = new Date();
    if (row.cancelRequested)
      return this.commitStored(row, 'cancelled', before, finishedSnapshot(before, 'cancelled', now));
    if (row.attempt < row.maxAttempts) return this.commitStored(row, 'queued', before, requeuedSnapshot(before, now));
    const error = {
      code: runErrorCodes.stalled,
      message: `no heartbeat since ${row.heartbeatAt?.toISOString() ?? 'the start'} (timeout ${this.options.stallTimeoutMs} ms)`,
    };
    return this.commitStored(row, 'failed', before, finishedSnapshot(before, 'failed', now, { error }));
  }

  private log(message: string): void {
    (this.options.log ?? ((line: string) => console.error(line)))(`[runner] ${message}`);
  }
}
