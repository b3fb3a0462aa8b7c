import type { Prisma } from '../../db/generated/sqlite/client.ts';
import type { Store } from '../../db/client.ts';
import type { RunStatus } from '../../../shared/run.ts';
import type { RunRow } from '../interfaces.ts';

export interface RunPageQuery {
  ownerId: string;
  limit: number;
  /** the last run of the previous page */
  after: { createdAt: Date; id: string } | null;
  statuses: readonly RunStatus[] | null;
  kind: string | null;
}

/**
 * Newest first, keyset-paged on (createdAt, id): runs created while a client
 * pages are newer than its cursor, so they shift nothing it has not seen yet.
 */
export async function listRuns({ db }: Store, query: RunPageQuery): Promise<{ rows: RunRow[]; hasMore: boolean }> {
  const where: Prisma.RunWhereInput = {
    ownerId: query.ownerId,
    ...(query.statuses && { status: { in: [...query.statuses] } }),
    ...(query.kind !== null && { kind: query.kind }),
    ...(query.after && {
      OR: [
        { createdAt: { lt: query.after.createdAt } },
        { createdAt: query.after.createdAt, id: { lt: query.after.id } },
      ],
    }),
  };
  const rows = await db.run.findMany({
    where,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: query.limit + 1,
  });
  return { rows: rows.slice(0, query.limit), hasMore: rows.length > query.limit };
}
