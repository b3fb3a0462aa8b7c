import type { Database } from '../../db/client.ts';
import type { RunGuard, RunSnapshot, StoredStage, TimelineEntry } from '../interfaces.ts';
import { rowFieldsFromSnapshot } from '../snapshot.ts';
import { whereGuard } from './guard.ts';
import { asJson } from './prisma-json.ts';
import { insertEvents } from './insert-events.ts';

export interface Transition {
  runId: string;
  /** the write applies only if the row still matches */
  guard: RunGuard;
  /** the run after the last entry */
  snapshot: RunSnapshot;
  /** events not stored yet, the transition's own event last */
  entries: readonly TimelineEntry[];
  stages?: readonly StoredStage[];
  /** the lease holder after the transition (`null` releases it) */
  workerId?: string | null;
}

/**
 * Compare-and-set of a run row plus its new events, in one transaction.
 * Returns false, writing nothing, when the guard no longer matches: somebody
 * else (a cancel, a stall scan, a newer attempt) got there first.
 */
export async function commitTransition(db: Database, transition: Transition): Promise<boolean> {
  const { snapshot } = transition;
  return db.$transaction(async (tx) => {
    const { count } = await tx.run.updateMany({
      where: whereGuard(transition.runId, transition.guard),
      data: {
        ...rowFieldsFromSnapshot(snapshot),
        ...(snapshot.result !== null && { result: asJson(snapshot.result) }),
        ...(transition.stages && { stages: asJson(transition.stages) }),
        ...(transition.workerId !== undefined && { workerId: transition.workerId }),
      },
    });
    if (count !== 1) return false;
    await insertEvents(tx, transition.entries);
    return true;
  });
}
