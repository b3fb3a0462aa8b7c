import type { Store } from '../../db/client.ts';
import type { RunRow } from '../interfaces.ts';

/**
 * Running runs with an accepted cancel and no sign of life since `before`:
 * their owner is gone, so nobody else will finish them.
 */
export async function findOverdueCancels({ db }: Store, before: Date, limit: number): Promise<RunRow[]> {
  return db.run.findMany({
    where: { status: 'running', cancelRequested: true, updatedAt: { lt: before } },
    orderBy: { updatedAt: 'asc' },
    take: limit,
  });
}
