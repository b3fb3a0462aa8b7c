import type { CancelOutcome, RunStatus, StageTimeline } from '../../shared/run.ts';
import type { AnalysisRegistry } from '../analyses/registry.ts';
import type { Store } from '../db/client.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { RunEventBus } from './event-bus.ts';
import type { ProgressEvent, RunRow, RunSnapshot, StoredStage } from './interfaces.ts';
import { progressStream } from './progress-stream.ts';
import { newRunId } from './run-id.ts';
import type { Runner } from './runner.ts';
import { snapshotFromRow, stageTimeline, storedStages } from './snapshot.ts';
import { createRun, getRun, listRuns } from './store/index.ts';

export class UnknownKindError extends Error {
  constructor(kind: string) {
    super(`no analysis of kind "${kind}" is registered`);
    this.name = 'UnknownKindError';
  }
}

export class IdempotencyConflictError extends Error {
  constructor(readonly existing: RunSnapshot) {
    super(`idempotency key already used for run ${existing.id} with a different kind or input`);
    this.name = 'IdempotencyConflictError';
  }
}

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not one this server issued');
    this.name = 'InvalidCursorError';
  }
}

export interface HistoryQuery {
  limit: number;
  cursor: string | null;
  statuses: readonly RunStatus[] | null;
  kind: string | null;
}

/** JSON with sorted keys: PostgreSQL's jsonb does not keep key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** The run use cases the API offers, for one owner at a time. Errors are domain errors; the API maps them. */
export class RunService {
  constructor(
    private readonly store: Store,
    private readonly runner: Runner,
    private readonly bus: RunEventBus,
    private readonly registry: AnalysisRegistry,
  ) {}

  /** `input` must already be the output of the kind's schema. */
  async start(ownerId: string, kind: string, input: unknown, idempotencyKey: string | null): Promise<RunSnapshot> {
    const analysis = this.registry.get(kind);
    if (!analysis) throw new UnknownKindError(kind);
    const stages: StoredStage[] = analysis.stages.map((stage) => ({
      key: stage.key,
      label: stage.label,
      weight: stage.weight ?? 1,
      status: 'pending',
      startedAt: null,
      finishedAt: null,
    }));
    const { row, created } = await createRun(this.store, {
      id: newRunId(),
      ownerId,
      kind,
      input,
      stages,
      idempotencyKey,
      maxAttempts: analysis.maxAttempts ?? 1,
      now: new Date(),
    });
    const run = this.fresh(row);
    if (created) this.runner.enqueue(row);
    else if (row.kind !== kind || canonicalJson(row.input) !== canonicalJson(input))
      throw new IdempotencyConflictError(run);
    return run;
  }

  async get(ownerId: string, runId: string): Promise<(RunSnapshot & { stages: StageTimeline[] }) | null> {
    const row = await getRun(this.store, runId, ownerId);
    if (!row) return null;
    // snapshot and stages from one source: the row and the live run may be a write apart
    const live = this.runner.liveState(runId);
    return live
      ? { ...live.snapshot, stages: stageTimeline(live.stages) }
      : { ...snapshotFromRow(row), stages: stageTimeline(storedStages(row)) };
  }

  async history(ownerId: string, query: HistoryQuery): Promise<{ items: RunSnapshot[]; nextCursor: string | null }> {
    const after = query.cursor === null ? null : decodeCursor(query.cursor);
    if (query.cursor !== null && after === null) throw new InvalidCursorError();
    const { rows, hasMore } = await listRuns(this.store, {
      ownerId,
      limit: query.limit,
      after,
      statuses: query.statuses,
      kind: query.kind,
    });
    const last = rows.at(-1);
    return { items: rows.map((row) => this.fresh(row)), nextCursor: hasMore && last ? encodeCursor(last) : null };
  }

  async cancel(
    ownerId: string,
    runId: string,
    reason: string | null,
  ): Promise<{ run: RunSnapshot; outcome: CancelOutcome } | null> {
    const row = await getRun(this.store, runId, ownerId);
    return row ? this.runner.cancel(row, reason) : null;
  }

  progress(
    ownerId: string,
    runId: string,
    lastEventId: number | null,
    signal?: AbortSignal,
  ): AsyncGenerator<ProgressEvent, void> {
    return progressStream({
      store: this.store,
      bus: this.bus,
      runner: this.runner,
      runId,
      ownerId,
      lastEventId,
      signal,
    });
  }

  /** The stored run, or the newer in-memory state when this server is executing it. */
  private fresh(row: RunRow): RunSnapshot {
    return this.runner.liveSnapshot(row.id) ?? snapshotFromRow(row);
  }
}
