import { Prisma } from '../../db/generated/sqlite/client.ts';
import type { TimelineEntry } from '../interfaces.ts';

type SqlExecutor = Pick<Prisma.TransactionClient, '$executeRaw'>;

/** bound parameters per statement stay far below SQLite's and PostgreSQL's limits */
const rowsPerStatement = 1000;

/**
 * Appends timeline events: one multi-row INSERT per 1000 events. Plain SQL on
 * purpose: Prisma's `createMany` spends about 0.25 ms of CPU per row on the
 * event loop (`npm run bench`: 50 rows took 13 ms through `createMany`, 1.4 ms
 * like this), which delayed live progress while a batch was written. The
 * values are bound parameters; `patch` is JSON text, stored as text by SQLite
 * and as jsonb by PostgreSQL, exactly as `createMany` stored it.
 */
export async function insertEvents(db: SqlExecutor, entries: readonly TimelineEntry[]): Promise<void> {
  for (let start = 0; start < entries.length; start += rowsPerStatement) {
    const rows = entries
      .slice(start, start + rowsPerStatement)
      .map(
        ({ event, patch }) =>
          Prisma.sql`(${event.runId}, ${event.seq}, ${event.type}, ${event.at}, ${JSON.stringify(patch)})`,
      );
    await db.$executeRaw`INSERT INTO "analysis_run_events" ("runId", "seq", "type", "at", "patch") VALUES ${Prisma.join(rows)}`;
  }
}
