import { terminalEventTypes } from '../../shared/events.ts';
import { isTerminal } from '../../shared/run.ts';
import type { Store } from '../db/client.ts';
import type { RunEventBus } from './event-bus.ts';
import { EventQueue } from './event-queue.ts';
import type { ProgressEvent, RunSnapshot } from './interfaces.ts';
import type { Runner } from './runner.ts';
import { applyPatch } from './snapshot-patch.ts';
import { snapshotFromRow } from './snapshot.ts';
import { getRun, listEvents } from './store/index.ts';

export interface ProgressStreamOptions {
  store: Store;
  bus: RunEventBus;
  runner: Runner;
  runId: string;
  ownerId: string;
  /** the seq of the last event the subscriber has */
  lastEventId: number | null;
  signal: AbortSignal | undefined;
}

export class RunNotFoundError extends Error {
  constructor(runId: string) {
    super(`run ${runId} not found`);
    this.name = 'RunNotFoundError';
  }
}

function snapshotEvent(run: RunSnapshot): ProgressEvent {
  return { type: 'snapshot', runId: run.id, seq: run.seq, at: run.updatedAt, run };
}

/**
 * The events after `afterSeq`, from storage plus what is published but not
 * written yet. Null when the stored timeline has a hole (events were pruned),
 * in which case the caller starts from a snapshot instead.
 */
async function replay(
  options: ProgressStreamOptions,
  afterSeq: number,
  unstored: readonly ProgressEvent[],
): Promise<ProgressEvent[] | null> {
  const stored = await listEvents(options.store, options.runId);
  const events: ProgressEvent[] = [];
  let run: RunSnapshot | null = null;
  let expected = 1;
  for (const row of stored) {
    if (row.seq !== expected) return null;
    expected++;
    run = applyPatch(run, row.patch);
    if (row.seq > afterSeq) {
      events.push({ type: row.type as ProgressEvent['type'], runId: options.runId, seq: row.seq, at: row.at, run });
    }
  }
  for (const event of unstored) {
    if (event.seq < expected) continue;
    if (event.seq !== expected) return null;
    expected++;
    if (event.seq > afterSeq) events.push(event);
  }
  return afterSeq < expected ? events : null;
}

/**
 * A run's events for one subscriber: listen first, then the backlog (a
 * snapshot, or the stored events after `lastEventId`), then live events,
 * skipping any seq already sent. Ends after the terminal event.
 */
export async function* progressStream(options: ProgressStreamOptions): AsyncGenerator<ProgressEvent, void> {
  const queue = new EventQueue();
  const unsubscribe = options.bus.subscribe(options.runId, (event) => queue.push(event));
  const onAbort = () => queue.close();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // unstored events are read before storage: one written in between is then in storage
    const unstored = options.runner.unstoredEvents(options.runId);
    const held = options.runner.heldRow(options.runId);
    const row =
      held && held.ownerId === options.ownerId ? held : await getRun(options.store, options.runId, options.ownerId);
    if (!row) throw new RunNotFoundError(options.runId);
    const current = () => options.runner.liveSnapshot(options.runId) ?? snapshotFromRow(row);

    let lastSeq: number;
    const backlog = options.lastEventId === null ? null : await replay(options, options.lastEventId, unstored);
    if (backlog === null) {
      const snapshot = current();
      yield snapshotEvent(snapshot);
      if (isTerminal(snapshot.status)) return;
      lastSeq = snapshot.seq;
    } else {
      lastSeq = options.lastEventId ?? 0;
      for (const event of backlog) {
        yield event;
        lastSeq = event.seq;
        if (terminalEventTypes.includes(event.type)) return;
      }
      if (isTerminal(current().status) && current().seq <= lastSeq) return;
    }

    for (;;) {
      const event = await queue.next();
      if (!event) return;
      if (event.seq <= lastSeq) continue;
      yield event;
      lastSeq = event.seq;
      if (terminalEventTypes.includes(event.type)) return;
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    queue.close();
    unsubscribe();
  }
}
