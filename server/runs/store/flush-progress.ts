import type { Store } from '../../db/client.ts';
import type { RunSnapshot, TimelineEntry } from '../interfaces.ts';
import { applyTransitionsPostgres, applyTransitionsSqlite, type Transition } from './transition-sql.ts';

export interface ProgressBatch {
  runId: string;
  attempt: number;
  workerId: string;
  /** the run after its last pending entry */
  snapshot: RunSnapshot;
  entries: readonly TimelineEntry[];
}

function asTransition(batch: ProgressBatch): Transition {
  return {
    runId: batch.runId,
    // a cancel stored by someone else fences this worker out, which is how it hears of it
    guard: {
      status: 'running',
      attempt: batch.attempt,
      workerId: batch.workerId,
      cancelRequested: batch.snapshot.cancelRequested,
    },
    snapshot: batch.snapshot,
    entries: batch.entries,
  };
}

/**
 * Writes the coalesced progress of many running runs in one transaction: per
 * run, its row and events if this worker still holds its lease; a run whose
 * lease is gone is skipped and reported as fenced.
 */
export async function flushProgress({ sql }: Store, batches: readonly ProgressBatch[]): Promise<{ fenced: string[] }> {
  if (batches.length === 0) return { fenced: [] };
  const transitions = batches.map(asTransition);
  // every run in one statement on PostgreSQL, one transaction on SQLite: atomic either way
  const applied =
    sql.provider === 'sqlite'
      ? await sql.write(() => applyTransitionsSqlite(sql, transitions))
      : await applyTransitionsPostgres((statement, values) => sql.query(statement, values), transitions);
  return { fenced: batches.filter((_, index) => !applied[index]).map((batch) => batch.runId) };
}
