import { runErrorCodes } from '../../shared/error-codes.ts';
import type { ProgressEventType } from '../../shared/events.ts';
import type { RunError } from '../../shared/run.ts';
import type { AnyAnalysis } from '../analyses/define.ts';
import { serializeError, type Execution } from '../analyses/execution.ts';
import type { AnalysisReport } from '../analyses/progress-reporter.ts';
import type { Store } from '../db/client.ts';
import type { RunEventBus } from './event-bus.ts';
import type { RunRow, RunSnapshot, StoredStage } from './interfaces.ts';
import type { ProgressWriter } from './progress-writer.ts';
import { EtaEstimator, nextProgress, weightedProgress } from './progress-model.ts';
import { toStoredJson } from './stored-json.ts';
import { commitTransition } from './store/index.ts';
import {
  cancellingSnapshot,
  closeRunningStage,
  enterStage,
  finishedSnapshot,
  requeuedSnapshot,
  resetStages,
  timelineEntry,
} from './transitions.ts';

export interface RunHandleDeps {
  store: Store;
  bus: RunEventBus;
  writer: ProgressWriter;
  workerId: string;
  heartbeatMs: number;
  stallTimeoutMs: number;
  cancelGraceMs: number;
  execute(analysis: AnyAnalysis, input: unknown, onReport: (report: AnalysisReport) => void): Execution;
  onError(error: unknown, context: string): void;
}

type Ending =
  | { status: 'completed'; result: unknown }
  | { status: 'failed'; error: RunError }
  | { status: 'cancelled' }
  | { status: 'requeued' };

/**
 * One attempt of one run on this server, from claim to its terminal write.
 * Every change goes through a serial queue, so events get consecutive seqs in
 * the order they happened; status and stage changes are stored before they
 * are published, progress is published at once and written in batches.
 */
export class RunHandle {
  private snapshot: RunSnapshot;
  private stages: StoredStage[];
  private readonly weights: number[];
  private readonly eta = new EtaEstimator();
  private queue: Promise<void> = Promise.resolve();
  private execution: Execution | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  private interrupted = false;
  private ended = false;
  private readonly settled: Promise<void>;
  private resolveSettled!: () => void;

  constructor(
    /** the row as it was claimed */
    readonly claimedRow: RunRow,
    started: RunSnapshot,
    stages: StoredStage[],
    private readonly analysis: AnyAnalysis,
    private readonly deps: RunHandleDeps,
  ) {
    this.snapshot = started;
    this.stages = stages;
    this.weights = stages.map((stage) => stage.weight);
    this.settled = new Promise((resolve) => (this.resolveSettled = resolve));
  }

  get runId(): string {
    return this.snapshot.id;
  }

  get current(): RunSnapshot {
    return this.snapshot;
  }

  /** the stage timeline that goes with `current` */
  get currentStages(): readonly StoredStage[] {
    return this.stages;
  }

  /** resolves once the run's final write for this attempt is done (or given up) */
  get done(): Promise<void> {
    return this.settled;
  }

  start(): void {
    this.heartbeat = setInterval(() => void this.enqueue(() => this.beat()), this.deps.heartbeatMs);
    this.heartbeat.unref();
    try {
      this.execution = this.deps.execute(this.analysis, this.snapshot.input, (report) => {
        void this.enqueue(() => this.onReport(report));
      });
    } catch (error) {
      void this.enqueue(() => this.end(this.failure(error)));
      return;
    }
    this.execution.result.then(
      (result) => void this.enqueue(() => this.end(this.success(result))),
      (error: unknown) => void this.enqueue(() => this.end(this.failure(error))),
    );
  }

  /** Accepts a cancel: stored, then the AbortSignal fires; after the grace period the run ends anyway. */
  async cancel(reason: string | null): Promise<RunSnapshot> {
    await this.enqueue(async () => {
      if (this.snapshot.cancelRequested) return;
      const before = this.snapshot;
      if (!(await this.commit('cancelling', before, cancellingSnapshot(before, reason, new Date())))) return;
      this.execution?.abort(reason ?? 'cancelled');
      this.graceTimer = setTimeout(() => {
        this.execution?.terminate();
        void this.enqueue(() => this.end({ status: 'cancelled' }));
      }, this.deps.cancelGraceMs);
      this.graceTimer.unref();
    });
    return this.snapshot;
  }

  /** Shutdown: stop the work now and put the run back in the queue for a later attempt. */
  interrupt(): Promise<void> {
    this.interrupted = true;
    this.execution?.abort('server shutting down');
    this.execution?.terminate();
    void this.enqueue(() => this.end({ status: 'requeued' }));
    return this.settled;
  }

  /**
   * Stops without writing: another writer took the run (stall scan, cancel
   * deadline, another server), or its writes keep failing.
   */
  letGo(): void {
    if (this.ended) return;
    this.ended = true;
    this.execution?.abort('lease lost');
    this.execution?.terminate();
    this.deps.writer.discard(this.runId);
    this.cleanup();
  }

  private enqueue(operation: () => Promise<void> | void): Promise<void> {
    const next = this.queue.then(() => (this.ended ? undefined : operation()));
    this.queue = next.catch((error: unknown) => this.deps.onError(error, `run ${this.runId}`));
    return next;
  }

  private onReport(report: AnalysisReport): Promise<void> | void {
    if (this.snapshot.cancelRequested || this.interrupted) return;
    const now = new Date();
    if (report.type === 'log') return this.buffer('log', { ...this.snapshot, message: report.message }, now);
    if (report.type === 'step') return this.onStep(report.current, report.message, now);
    return this.onStage(report.key, report.total, report.message, now);
  }

  private async onStage(key: string, total: number | null, message: string | null, now: Date): Promise<void> {
    const index = this.stages.findIndex((stage) => stage.key === key);
    const stage = this.stages[index];
    if (!stage) return this.buffer('log', { ...this.snapshot, message: `unknown stage "${key}" reported` }, now);
    const before = this.snapshot;
    const progress = nextProgress(before.progress, weightedProgress(this.weights, index, 0));
    const after: RunSnapshot = {
      ...before,
      stage: { key: stage.key, label: stage.label, index, count: this.stages.length },
      step: total === null ? null : { current: 0, total },
      message,
      progress,
      etaMs: this.eta.observe(now.getTime(), progress),
      updatedAt: now,
      seq: before.seq + 1,
    };
    await this.commit('stage', before, after, enterStage(this.stages, index, now));
  }

  private onStep(current: number, message: string | null, now: Date): void {
    const before = this.snapshot;
    const stageIndex = before.stage?.index;
    const total = before.step?.total ?? null;
    const position = total === null ? null : Math.min(Math.max(0, current), total);
    const progress =
      stageIndex === undefined || position === null || total === null
        ? before.progress
        : nextProgress(before.progress, weightedProgress(this.weights, stageIndex, position / total));
    const after: RunSnapshot = {
      ...before,
      step: position === null || total === null ? before.step : { current: position, total },
      message: message ?? before.message,
      progress,
      etaMs: this.eta.observe(now.getTime(), progress) ?? before.etaMs,
      updatedAt: now,
      seq: before.seq + 1,
    };
    this.buffer('progress', after, now);
  }

  private beat(): void {
    const now = new Date();
    this.buffer('heartbeat', { ...this.snapshot, heartbeatAt: now }, now);
  }

  /** A replaceable event: published now, written with the next batch. */
  private buffer(type: ProgressEventType, next: RunSnapshot, now: Date): void {
    const before = this.snapshot;
    const after: RunSnapshot = { ...next, heartbeatAt: now, updatedAt: now, seq: before.seq + 1 };
    const entry = timelineEntry(type, before, after);
    this.snapshot = after;
    this.deps.writer.enqueue(this.leaseKey(), entry);
    this.deps.bus.publish(entry.event);
  }

  /**
   * A durable event: stored (with everything buffered before it) and only then
   * published. A database error is retried with backoff; after STALL_TIMEOUT_MS
   * of failures (a few tries when shutting down) the run is let go, and the
   * stall scan deals with it like with a crashed server's run.
   */
  private async commit(
    type: ProgressEventType,
    before: RunSnapshot,
    after: RunSnapshot,
    stages?: StoredStage[],
    workerId?: string | null,
  ): Promise<boolean> {
    const entry = timelineEntry(type, before, after);
    const firstTry = Date.now();
    for (let attempt = 1; ; attempt++) {
      const buffered = await this.deps.writer.take(this.runId);
      try {
        const ok = await commitTransition(this.deps.store, {
          runId: this.runId,
          guard: {
            status: 'running',
            attempt: before.attempt,
            workerId: this.deps.workerId,
            cancelRequested: before.cancelRequested,
          },
          snapshot: after,
          entries: [...buffered, entry],
          ...(stages && { stages }),
          ...(workerId !== undefined && { workerId }),
        });
        this.deps.writer.settle(this.runId);
        if (!ok) {
          this.letGo();
          return false;
        }
        break;
      } catch (error) {
        this.deps.writer.restore(this.leaseKey(), buffered);
        const giveUp = this.interrupted ? attempt >= 3 : Date.now() - firstTry >= this.deps.stallTimeoutMs;
        this.deps.onError(error, `storing ${type} of run ${this.runId} (try ${attempt}${giveUp ? ', giving up' : ''})`);
        if (giveUp) {
          this.letGo();
          return false;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 5000)));
      }
    }
    this.snapshot = after;
    if (stages) this.stages = stages;
    this.deps.bus.publish(entry.event);
    return true;
  }

  private success(result: unknown): Ending {
    try {
      const json = toStoredJson(result);
      return { status: 'completed', result: json };
    } catch (error) {
      return { status: 'failed', error: { code: runErrorCodes.invalidResult, message: serializeError(error).message } };
    }
  }

  private failure(error: unknown): Ending {
    const details = serializeError(error);
    return {
      status: 'failed',
      error: { code: details.code ?? runErrorCodes.analysisFailed, message: details.message },
    };
  }

  private async end(requested: Ending): Promise<void> {
    // once a cancel is accepted, nothing the analysis does can finish the run otherwise
    const ending: Ending = this.snapshot.cancelRequested
      ? { status: 'cancelled' }
      : this.interrupted && requested.status !== 'completed'
        ? { status: 'requeued' }
        : requested;
    const before = this.snapshot;
    const now = new Date();
    if (ending.status === 'requeued') {
      await this.commit('queued', before, requeuedSnapshot(before, now), resetStages(this.stages), null);
    } else {
      const after = finishedSnapshot(before, ending.status, now, {
        ...(ending.status === 'completed' && { result: ending.result }),
        ...(ending.status === 'failed' && { error: ending.error }),
      });
      const stages =
        ending.status === 'completed'
          ? enterStage(this.stages, this.stages.length, now)
          : closeRunningStage(this.stages, ending.status, now);
      await this.commit(ending.status, before, after, stages, null);
    }
    this.ended = true;
    this.cleanup();
  }

  private cleanup(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.heartbeat = null;
    this.graceTimer = null;
    this.resolveSettled();
  }

  private leaseKey() {
    return { runId: this.runId, attempt: this.snapshot.attempt, workerId: this.deps.workerId };
  }
}
