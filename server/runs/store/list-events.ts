import type { Store } from '../../db/client.ts';
import type { SnapshotPatch } from '../snapshot-patch.ts';

export interface StoredEvent {
  seq: number;
  type: string;
  at: Date;
  patch: SnapshotPatch;
}

/** A run's stored timeline in seq order, optionally only up to `maxSeq`. */
export async function listEvents({ db }: Store, runId: string, maxSeq?: number): Promise<StoredEvent[]> {
  const rows = await db.runEvent.findMany({
    where: { runId, ...(maxSeq !== undefined && { seq: { lte: maxSeq } }) },
    orderBy: { seq: 'asc' },
  });
  return rows.map((row) => ({ seq: row.seq, type: row.type, at: row.at, patch: row.patch as SnapshotPatch }));
}
