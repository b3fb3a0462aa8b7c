import type { Database } from '../../db/client.ts';
import type { RunSnapshot, TimelineEntry } from '../interfaces.ts';
import { rowFieldsFromSnapshot } from '../snapshot.ts';
import { insertEvents } from './insert-events.ts';

export interface ProgressBatch {
  runId: string;
  attempt: number;
  workerId: string;
  /** the run after its last pending entry */
  snapshot: RunSnapshot;
  entries: readonly TimelineEntry[];
}

/**
 * Writes the coalesced progress of many running runs in one transaction: one
 * row update per run and one insert for all their events. A run whose lease
 * this worker no longer holds is skipped and reported as fenced.
 */
export async function flushProgress(db: Database, batches: readonly ProgressBatch[]): Promise<{ fenced: string[] }> {
  if (batches.length === 0) return { fenced: [] };
  return db.$transaction(async (tx) => {
    const fenced: string[] = [];
    const entries: TimelineEntry[] = [];
    for (const batch of batches) {
      const { count } = await tx.run.updateMany({
        where: {
          id: batch.runId,
          attempt: batch.attempt,
          status: 'running',
          workerId: batch.workerId,
          // a cancel stored by someone else fences this worker out, which is how it hears of it
          cancelRequested: batch.snapshot.cancelRequested,
        },
        data: rowFieldsFromSnapshot(batch.snapshot),
      });
      if (count === 1) entries.push(...batch.entries);
      else fenced.push(batch.runId);
    }
    await insertEvents(tx, entries);
    return { fenced };
  });
}
