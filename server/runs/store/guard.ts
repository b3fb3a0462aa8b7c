import type { Prisma } from '../../db/generated/sqlite/client.ts';
import type { RunGuard } from '../interfaces.ts';

export function whereGuard(runId: string, guard: RunGuard): Prisma.RunWhereInput {
  const statuses = typeof guard.status === 'string' ? [guard.status] : [...guard.status];
  return {
    id: runId,
    status: { in: statuses },
    ...(guard.attempt !== undefined && { attempt: guard.attempt }),
    ...(guard.cancelRequested !== undefined && { cancelRequested: guard.cancelRequested }),
    ...(guard.seq !== undefined && { seq: guard.seq }),
    ...(guard.workerId !== undefined && { workerId: guard.workerId }),
  };
}
