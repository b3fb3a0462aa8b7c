import Sqlite from 'better-sqlite3';
import { startSqliteCheckpoints, type SqliteCheckpoints } from './sqlite-checkpoints.ts';
import { statementWeight, type StatementCounts } from './statement-counts.ts';

const checkpointIntervalMs = 100;
/** SQLite's own default for `wal_autocheckpoint` */
const defaultAutocheckpointPages = 1000;

export const SQLITE_PRAGMAS = 'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;';

interface PendingWrite {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface CachedStatement {
  statement: Sqlite.Statement;
  weight: { reads: number; writes: number };
}

/**
 * The connection the run store writes through: better-sqlite3 itself, with
 * each statement prepared once. Prisma keeps its own connection for reads;
 * every write of the application goes through this one, so a write never
 * waits for a lock held by an unfinished asynchronous transaction on the
 * other connection (better-sqlite3 would wait synchronously, blocking the
 * very event loop that transaction needs to finish).
 */
export class SqliteConnection {
  readonly provider = 'sqlite';
  private readonly statements = new Map<string, CachedStatement>();
  private readonly inTransaction: Sqlite.Transaction<(body: () => unknown) => unknown>;
  private pending: PendingWrite[] = [];

  constructor(
    private readonly database: Sqlite.Database,
    private readonly counts: StatementCounts,
    private readonly checkpoints: SqliteCheckpoints | null = null,
  ) {
    // used as `.immediate`: the write lock is taken at BEGIN, not upgraded from a read lock mid-transaction
    this.inTransaction = database.transaction((body: () => unknown) => body());
  }

  static open(file: string, counts: StatementCounts, log: (line: string) => void): SqliteConnection {
    const database = new Sqlite(file);
    database.exec(SQLITE_PRAGMAS);
    database.pragma('wal_autocheckpoint = 0');
    const checkpoints = startSqliteCheckpoints(file, checkpointIntervalMs, (error) => {
      database.pragma(`wal_autocheckpoint = ${defaultAutocheckpointPages}`);
      log(`[db] checkpoint thread failed, checkpointing on commit again: ${String(error)}`);
    });
    return new SqliteConnection(database, counts, checkpoints);
  }

  /** Runs a writing statement; returns how many rows it changed. */
  run(sql: string, params: readonly unknown[]): number {
    return this.prepared(sql).run(...params).changes;
  }

  all<Row>(sql: string, params: readonly unknown[]): Row[] {
    return this.prepared(sql).all(...params) as Row[];
  }

  /**
   * Group commit: `work` runs synchronously and atomically, in one
   * transaction with every other write asked for in the same turn (before
   * the microtasks of the current task run out). Resolves once that
   * transaction committed. A commit costs far more than the few statements
   * of a run's transition, and a busy server asks for many at once (a batch
   * of starts, runs finishing together), so sharing commits is what lets
   * writes keep up. If any work throws, the whole group is rolled back and
   * each work redone in a transaction of its own, so only the failing one
   * fails.
   */
  write<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.pending.length === 0) process.nextTick(() => this.commitPending());
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private commitPending(): void {
    const group = this.pending;
    this.pending = [];
    let results: unknown[];
    try {
      results = this.inTransaction.immediate(() => group.map(({ work }) => work())) as unknown[];
      this.counts.commits++;
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      for (const { work, resolve, reject } of group) {
        try {
          resolve(this.inTransaction.immediate(work));
          this.counts.commits++;
        } catch (alone) {
          reject(alone);
        }
      }
      return;
    }
    group.forEach(({ resolve }, index) => resolve(results[index]));
  }

  async close(): Promise<void> {
    await this.checkpoints?.stop();
    this.database.close();
  }

  private prepared(sql: string): Sqlite.Statement {
    let cached = this.statements.get(sql);
    if (!cached) {
      cached = { statement: this.database.prepare(sql), weight: statementWeight(sql) };
      this.statements.set(sql, cached);
    }
    this.counts.reads += cached.weight.reads;
    this.counts.writes += cached.weight.writes;
    return cached.statement;
  }
}
