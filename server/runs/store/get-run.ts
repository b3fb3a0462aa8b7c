import type { Store } from '../../db/client.ts';
import type { BatchedStatement } from '../../db/postgres-connection.ts';
import type { RunRow } from '../interfaces.ts';
import { runRowFromPostgres, runRowFromSqlite, type RawRunRow } from './run-rows.ts';

const sqliteSelect = `SELECT * FROM "analysis_runs" WHERE "id" = ?`;
const postgresSelect = {
  name: 'analysis_runs_get',
  text: `SELECT * FROM "analysis_runs" WHERE "id" = ANY($1::text[])`,
};

/** The reads of one task (a wave of subscriptions) as one query. */
const batchedSelectPostgres: BatchedStatement<string, RunRow | null> = {
  name: 'get-runs',
  keyOf: (runId) => runId,
  async run(query, runIds) {
    const { rows } = await query<RawRunRow>(postgresSelect, [runIds]);
    const byId = new Map(rows.map((raw) => [raw.id as string, raw]));
    return runIds.map((runId) => {
      const raw = byId.get(runId);
      return raw ? runRowFromPostgres(raw) : null;
    });
  },
};

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
    row = await sql.inBatch(batchedSelectPostgres, runId);
  }
  if (!row || (ownerId !== undefined && row.ownerId !== ownerId)) return null;
  return row;
}
