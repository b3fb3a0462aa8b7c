import type { Store } from '../../db/client.ts';
import { applyTransitionsSqlite, batchedTransitionsPostgres, type Transition } from './transition-sql.ts';

export type { Transition } from './transition-sql.ts';

/**
 * Compare-and-set of a run row plus its new events, atomically. Returns
 * false, writing nothing, when the guard no longer matches: somebody else (a
 * cancel, a stall scan, a newer attempt) got there first.
 */
export async function commitTransition({ sql }: Store, transition: Transition): Promise<boolean> {
  if (sql.provider === 'sqlite') return sql.write(() => applyTransitionsSqlite(sql, [transition])[0]!);
  return sql.inBatch(batchedTransitionsPostgres, transition);
}
