import type { Store } from '../../db/client.ts';
import type { RunRow } from '../interfaces.ts';

/** Running runs whose heartbeat is older than `before`: their worker is gone or wedged. */
export async function findStalledRuns({ db }: Store, before: Date, limit: number): Promise<RunRow[]> {
  return db.run.findMany({
    where: { status: 'running', OR: [{ heartbeatAt: { lt: before } }, { heartbeatAt: null }] },
    orderBy: { heartbeatAt: 'asc' },
    take: limit,
  });
}
