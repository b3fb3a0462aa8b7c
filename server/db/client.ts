import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type {
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
  Transaction,
} from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaClient as PostgresPrismaClient } from './generated/postgresql/client.ts';
import { PrismaClient as SqlitePrismaClient } from './generated/sqlite/client.ts';
import { PostgresConnection } from './postgres-connection.ts';
import { SQLITE_PRAGMAS, SqliteConnection } from './sqlite-connection.ts';
import { newStatementCounts, type StatementCounts } from './statement-counts.ts';

export type { StatementCounts } from './statement-counts.ts';

export type Database = SqlitePrismaClient;
export type DatabaseProvider = 'sqlite' | 'postgresql';

export type SqlConnection = SqliteConnection | PostgresConnection;

/**
 * Where the run store works: Prisma for queries, the raw driver connection for
 * every write (see `SqliteConnection` and `PostgresConnection` for why).
 */
export interface Store {
  db: Database;
  sql: SqlConnection;
}

export interface OpenDatabase extends Store {
  provider: DatabaseProvider;
  statements: StatementCounts;
  close: () => Promise<void>;
}

function countStatement(counts: StatementCounts, query: SqlQuery): void {
  const verb = query.sql.trimStart().slice(0, 6).toUpperCase();
  if (verb === 'SELECT') counts.reads++;
  else if (verb === 'INSERT' || verb === 'UPDATE' || verb === 'DELETE') counts.writes++;
  else if (verb === 'COMMIT') counts.commits++;
}

function countingTransaction(inner: Transaction, counts: StatementCounts): Transaction {
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    options: inner.options,
    queryRaw: (query) => (countStatement(counts, query), inner.queryRaw(query)),
    executeRaw: (query) => (countStatement(counts, query), inner.executeRaw(query)),
    commit: () => inner.commit(),
    rollback: () => inner.rollback(),
    ...(inner.createSavepoint && { createSavepoint: inner.createSavepoint.bind(inner) }),
    ...(inner.rollbackToSavepoint && { rollbackToSavepoint: inner.rollbackToSavepoint.bind(inner) }),
    ...(inner.releaseSavepoint && { releaseSavepoint: inner.releaseSavepoint.bind(inner) }),
  };
}

function countingAdapter(inner: SqlDriverAdapter, counts: StatementCounts): SqlDriverAdapter {
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    queryRaw: (query) => (countStatement(counts, query), inner.queryRaw(query)),
    executeRaw: (query) => (countStatement(counts, query), inner.executeRaw(query)),
    executeScript: (script) => inner.executeScript(script),
    startTransaction: async (isolationLevel) =>
      countingTransaction(await inner.startTransaction(isolationLevel), counts),
    ...(inner.getConnectionInfo && { getConnectionInfo: inner.getConnectionInfo.bind(inner) }),
    dispose: () => inner.dispose(),
  };
}

/**
 * Counts the SQL statements Prisma sends through the driver adapter. Counting
 * here instead of with Prisma's `query` log events matters: with query events
 * on, every query costs a few milliseconds more CPU (measured by
 * `npm run bench`: a one-row `findUnique` took 4.1 ms instead of 1.3 ms).
 */
function countingAdapterFactory(inner: SqlDriverAdapterFactory, counts: StatementCounts): SqlDriverAdapterFactory {
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => countingAdapter(await inner.connect(), counts),
  };
}

export function providerOf(url: string): DatabaseProvider {
  if (url.startsWith('file:')) return 'sqlite';
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgresql';
  throw new Error(
    `Unsupported database URL "${redact(url)}": expected "file:<path>" (SQLite) or "postgres(ql)://..." (PostgreSQL)`,
  );
}

/** `file:./data/x.db?mode=...` -> absolute path of the database file (relative to the cwd, as Prisma does). */
export function sqliteFileOf(url: string): string {
  const file = url.slice('file:'.length).split('?')[0]!;
  if (!file) throw new Error(`SQLite URL "${url}" names no file`);
  return file === ':memory:' ? file : path.resolve(file);
}

/**
 * better-sqlite3 adapter that applies our pragmas on every connection it opens
 * (the adapter has no hook for this; synchronous/busy_timeout are per connection).
 */
export function sqliteAdapterFactory(url: string): SqlMigrationAwareDriverAdapterFactory {
  const file = sqliteFileOf(url);
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const inner = new PrismaBetterSqlite3({ url: file });
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    async connect() {
      const connection = await inner.connect();
      await connection.executeScript(SQLITE_PRAGMAS);
      return connection;
    },
    connectToShadowDb: () => inner.connectToShadowDb(),
  };
}

export interface PgTarget {
  /** connection string without Prisma's `schema` parameter */
  connectionString: string;
  /** the `?schema=` parameter, if any */
  schema: string | undefined;
}

const SAFE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function pgTargetOf(url: string): PgTarget {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  if (schema !== undefined && !SAFE_IDENTIFIER.test(schema)) {
    throw new Error(`Unsupported PostgreSQL schema name "${schema}": use letters, digits and underscores`);
  }
  return { connectionString: parsed.toString(), schema };
}

/** Pool config for a target; search_path makes raw SQL (and migration scripts) land in the schema too. */
export function pgPoolConfig(target: PgTarget): pg.PoolConfig {
  return {
    connectionString: target.connectionString,
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
  };
}

export async function openDatabase(url: string): Promise<OpenDatabase> {
  const provider = providerOf(url);
  const statements = newStatementCounts();
  if (provider === 'sqlite') {
    const file = sqliteFileOf(url);
    if (file === ':memory:') {
      throw new Error('SQLite ":memory:" cannot hold runs: reads and writes use two connections, so use a file');
    }
    const db = new SqlitePrismaClient({ adapter: countingAdapterFactory(sqliteAdapterFactory(url), statements) });
    const [mode] = await db.$queryRawUnsafe<{ journal_mode: string }[]>('PRAGMA journal_mode');
    if (mode?.journal_mode !== 'wal') {
      await db.$disconnect();
      throw new Error(`SQLite journal_mode is ${mode?.journal_mode}, expected wal`);
    }
    const sql = SqliteConnection.open(file, statements, (line) => console.error(line));
    return {
      db,
      sql,
      provider,
      statements,
      close: async () => {
        await sql.close();
        await db.$disconnect();
      },
    };
  }
  const target = pgTargetOf(url);
  // one pool for both: Prisma's queries and the store's writes
  const pool = new pg.Pool(pgPoolConfig(target));
  pool.on('error', () => {}); // an idle connection that drops is replaced on the next checkout
  const adapter = new PrismaPg(pool, target.schema ? { schema: target.schema } : undefined);
  // Both clients are generated from the same models (tests/integration/schema-drift.test.ts
  // guarantees it), so they expose the same model API; the generated types differ only in
  // provider-specific extras. Exposing one `Database` type keeps the rest of the code provider-agnostic.
  const client = new PostgresPrismaClient({ adapter: countingAdapterFactory(adapter, statements) });
  const db = client as unknown as Database;
  const close = async () => {
    await db.$disconnect();
    await pool.end();
  };
  try {
    await db.$queryRawUnsafe('SELECT 1'); // fail fast on a bad URL instead of at the first query
  } catch (err) {
    await close();
    throw err;
  }
  return { db, sql: new PostgresConnection(pool, statements), provider, statements, close };
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
