import type { Store } from '../../db/client.ts';
import type { RunRow } from '../interfaces.ts';
import { runRowFromPostgres, runRowFromSqlite, type RawRunRow } from './run-rows.ts';

const where = `WHERE "status" = 'queued' AND "cancelRequested" = false ORDER BY "createdAt" ASC, "id" ASC`;
const sqliteSelect = `SELECT * FROM "analysis_runs" ${where} LIMIT ?`;
const postgresSelect = { name: 'analysis_runs_queued', text: `SELECT * FROM "analysis_runs" ${where} LIMIT $1` };

/** The oldest queued runs: they are started in creation order. On the raw driver: every claim reads them. */
export async function listQueuedRuns({ sql }: Store, limit: number): Promise<RunRow[]> {
  if (sql.provider === 'sqlite') return sql.all<RawRunRow>(sqliteSelect, [limit]).map(runRowFromSqlite);
  return (await sql.query<RawRunRow>(postgresSelect, [limit])).rows.map(runRowFromPostgres);
}
