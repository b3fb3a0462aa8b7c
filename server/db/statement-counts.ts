/** SQL statements sent to the database, by kind: how batching is measured (`/healthz`, `npm run bench`). */
export interface StatementCounts {
  reads: number;
  writes: number;
  commits: number;
}

export function newStatementCounts(): StatementCounts {
  return { reads: 0, writes: 0, commits: 0 };
}

const writeVerbs = /\b(INSERT|UPDATE|DELETE)\b/gi;

/**
 * How a statement counts: a data-modifying CTE (`WITH u AS (UPDATE …) INSERT …`)
 * is one round trip but as many writes as it has INSERT/UPDATE/DELETE parts.
 */
export function statementWeight(sql: string): { reads: number; writes: number } {
  const writes = sql.match(writeVerbs)?.length ?? 0;
  return { reads: writes === 0 && /^\s*(SELECT|WITH)\b/i.test(sql) ? 1 : 0, writes };
}
