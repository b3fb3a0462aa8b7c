import pg from 'pg';
import { statementWeight, type StatementCounts } from './statement-counts.ts';

/** A statement prepared once per pooled connection under its name. */
export interface NamedStatement {
  name: string;
  text: string;
}

type Queryable = Pick<pg.PoolClient, 'query'>;

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

/**
 * The connection the run store writes through: `pg` itself, on the pool
 * Prisma's adapter also uses, with named (server-side prepared) statements.
 * Hot transitions are single statements (data-modifying CTEs), so they cost
 * one round trip and commit on their own.
 */
export class PostgresConnection {
  readonly provider = 'postgresql';
  private readonly weights = new Map<string, { reads: number; writes: number }>();

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

  /** `body`'s statements on one connection between BEGIN and COMMIT; a throw rolls back. */
  async transaction<T>(body: (query: PostgresTransaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await body((statement, values) => this.send(client, statement, values));
      await client.query('COMMIT');
      this.counts.commits++;
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
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

export type PostgresTransaction = <Row extends pg.QueryResultRow>(
  statement: NamedStatement,
  values: readonly unknown[],
) => Promise<pg.QueryResult<Row>>;
