import type { Database } from '../../db/client.ts';
import type { RunRow } from '../interfaces.ts';

/** The oldest queued runs: they are started in creation order. */
export async function listQueuedRuns(db: Database, limit: number): Promise<RunRow[]> {
  return db.run.findMany({
    where: { status: 'queued', cancelRequested: false },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: limit,
  });
}
