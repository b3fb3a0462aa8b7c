import type { Store } from '../../db/client.ts';
import type { RunRow } from '../interfaces.ts';
import { runRowFromPostgres, runRowFromSqlite, type RawRunRow } from './run-rows.ts';

const sqliteSelect = `SELECT * FROM "analysis_runs" WHERE "id" = ?`;
const postgresSelect = { name: 'analysis_runs_get', text: `SELECT * FROM "analysis_runs" WHERE "id" = $1` };

/**
 * A run by id, only if `ownerId` owns it (another owner's run is
 * indistinguishable from a missing one). On the raw driver: every
 * subscription and cancel reads one.
 */
export async function getRun({ sql }: Store, runId: string, ownerId?: string): Promise<RunRow | null> {
  let row: RunRow | null;
  if (sql.provider === 'sqlite') {
    const [raw] = sql.all<RawRunRow>(sqliteSelect, [runId]);
    row = raw ? runRowFromSqlite(raw) : null;
  } else {
    const [raw] = (await sql.query<RawRunRow>(postgresSelect, [runId])).rows;
    row = raw ? runRowFromPostgres(raw) : null;
  }
  if (!row || (ownerId !== undefined && row.ownerId !== ownerId)) return null;
  return row;
}
