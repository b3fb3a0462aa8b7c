import type { Database } from '../../db/client.ts';
import type { RunRow } from '../interfaces.ts';

/** A run by id, only if `ownerId` owns it (another owner's run is indistinguishable from a missing one). */
export async function getRun(db: Database, runId: string, ownerId?: string): Promise<RunRow | null> {
  const row = await db.run.findUnique({ where: { id: runId } });
  if (!row || (ownerId !== undefined && row.ownerId !== ownerId)) return null;
  return row;
}
