import pg from 'pg';
import { statementWeight, type StatementCounts } from './statement-counts.ts';

/** A statement prepared once per pooled connection under its name. */
export interface NamedStatement {
  name: string;
  text: string;
}

type Queryable = Pick<pg.Pool, 'query'>;

const timestampWithoutTimeZone = 1114;

/** Prisma stores DateTime as `timestamp(3)` holding UTC; `pg` would read it in the process's time zone. */
function parseUtcTimestamp(value: string): Date {
  return new Date(`${value.replace(' ', 'T')}Z`);
}

const utcTimestamps: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === timestampWithoutTimeZone && format !== 'binary'
      ? parseUtcTimestamp
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

export type PostgresQuery = <Row extends pg.QueryResultRow>(
  statement: NamedStatement,
  values: readonly unknown[],
) => Promise<pg.QueryResult<Row>>;

/** A write done for many callers at once: one statement for all the items asked for in one turn. */
export interface BatchedStatement<Item, Result> {
  name: string;
  /** items with the same key go to successive statements, in the order they were asked for */
  keyOf(item: Item): string;
  /** one atomic statement for `items`; results in item order */
  run(query: PostgresQuery, items: readonly Item[]): Promise<Result[]>;
}

interface PendingItem {
  item: unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface BatchQueue {
  pending: PendingItem[];
  /** a batch is due at the end of this task or not answered yet: new items wait for the next */
  busy: boolean;
}

/**
 * The connection the run store writes through: `pg` itself, on the pool
 * Prisma's adapter also uses, with named (server-side prepared) statements.
 * Run writes are batched: what is asked for in one task, or while the
 * previous batch is answered, goes to the database as one statement (a
 * data-modifying CTE over arrays): one round trip and one commit for many.
 */
export class PostgresConnection {
  readonly provider = 'postgresql';
  private readonly weights = new Map<string, { reads: number; writes: number }>();
  private readonly batches = new Map<string, BatchQueue>();

  constructor(
    readonly pool: pg.Pool,
    private readonly counts: StatementCounts,
  ) {}

  /** One statement in its own implicit transaction. */
  async query<Row extends pg.QueryResultRow>(statement: NamedStatement, values: readonly unknown[]) {
    const result = await this.send<Row>(this.pool, statement, values);
    if (this.weightOf(statement).writes > 0) this.counts.commits++;
    return result;
  }

  /**
   * Adds `item` to the statement's next batch; resolves with its result once
   * the batch's statement committed. One batch per statement is in flight at
   * a time, so writes asked for one after the other reach the database in
   * that order, and the items asked for meanwhile go together in the next:
   * the busier the server, the larger the batches (measured here: a batch of
   * 8 transitions costs PostgreSQL a fifth of the CPU of 8 single ones; more
   * batches in flight were no faster in `npm run bench`). If a batch fails,
   * its items are retried one by one, so a bad item fails alone.
   */
  inBatch<Item, Result>(statement: BatchedStatement<Item, Result>, item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      let queue = this.batches.get(statement.name);
      if (!queue) {
        queue = { pending: [], busy: false };
        this.batches.set(statement.name, queue);
      }
      queue.pending.push({ item, resolve: resolve as (value: unknown) => void, reject });
      this.schedule(statement, queue);
    });
  }

  private schedule<Item, Result>(statement: BatchedStatement<Item, Result>, queue: BatchQueue): void {
    if (queue.busy || queue.pending.length === 0) return;
    queue.busy = true;
    // the rest of this task's items join the batch
    process.nextTick(() => void this.sendBatch(statement, queue));
  }

  private async sendBatch<Item, Result>(statement: BatchedStatement<Item, Result>, queue: BatchQueue): Promise<void> {
    const pending = queue.pending;
    queue.pending = [];
    try {
      for (const round of rounds(pending, (entry) => statement.keyOf(entry.item as Item))) {
        await this.runRound(statement, round);
      }
    } finally {
      queue.busy = false;
      this.schedule(statement, queue);
    }
  }

  private async runRound<Item, Result>(statement: BatchedStatement<Item, Result>, round: PendingItem[]): Promise<void> {
    const query: PostgresQuery = (named, values) => this.query(named, values);
    try {
      const results = await statement.run(
        query,
        round.map((entry) => entry.item as Item),
      );
      round.forEach((entry, index) => entry.resolve(results[index]));
    } catch (error) {
      if (round.length === 1) {
        round[0]!.reject(error);
        return;
      }
      for (const entry of round) {
        await statement.run(query, [entry.item as Item]).then(
          ([result]) => entry.resolve(result),
          (alone: unknown) => entry.reject(alone),
        );
      }
    }
  }

  private send<Row extends pg.QueryResultRow>(
    on: Queryable,
    statement: NamedStatement,
    values: readonly unknown[],
  ): Promise<pg.QueryResult<Row>> {
    const weight = this.weightOf(statement);
    this.counts.reads += weight.reads;
    this.counts.writes += weight.writes;
    return on.query<Row>({
      name: statement.name,
      text: statement.text,
      values: values as unknown[],
      types: utcTimestamps,
    });
  }

  private weightOf(statement: NamedStatement) {
    let weight = this.weights.get(statement.name);
    if (!weight) {
      weight = statementWeight(statement.text);
      this.weights.set(statement.name, weight);
    }
    return weight;
  }
}

/** Splits items into successive groups in which no key repeats, keeping each key's order. */
function rounds<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const result: T[][] = [];
  const roundOfKey = new Map<string, number>();
  for (const item of items) {
    const key = keyOf(item);
    const index = (roundOfKey.get(key) ?? -1) + 1;
    roundOfKey.set(key, index);
    (result[index] ??= []).push(item);
  }
  return result;
}
