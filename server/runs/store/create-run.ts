import type { Database } from '../../db/client.ts';
import type { RunRow, StoredStage } from '../interfaces.ts';
import { fullPatch } from '../snapshot-patch.ts';
import { snapshotFromRow } from '../snapshot.ts';
import { asJson, isUniqueViolation } from './prisma-json.ts';

export interface NewRun {
  id: string;
  ownerId: string;
  kind: string;
  input: unknown;
  stages: StoredStage[];
  idempotencyKey: string | null;
  maxAttempts: number;
  now: Date;
}

/**
 * Inserts a queued run and its first event (`queued`, seq 1) together. With an
 * idempotency key already used by this owner, returns that run instead: the
 * unique index decides races between concurrent starts.
 */
export async function createRun(db: Database, run: NewRun): Promise<{ row: RunRow; created: boolean }> {
  try {
    const row = await db.$transaction(async (tx) => {
      const created = await tx.run.create({
        data: {
          id: run.id,
          ownerId: run.ownerId,
          kind: run.kind,
          status: 'queued',
          input: asJson(run.input),
          stages: asJson(run.stages),
          idempotencyKey: run.idempotencyKey,
          maxAttempts: run.maxAttempts,
          seq: 1,
          createdAt: run.now,
          updatedAt: run.now,
        },
      });
      await tx.runEvent.create({
        data: {
          runId: run.id,
          seq: 1,
          type: 'queued',
          at: run.now,
          patch: asJson(fullPatch(snapshotFromRow(created))),
        },
      });
      return created;
    });
    return { row, created: true };
  } catch (error) {
    if (run.idempotencyKey === null || !isUniqueViolation(error)) throw error;
    const existing = await db.run.findUnique({
      where: { ownerId_idempotencyKey: { ownerId: run.ownerId, idempotencyKey: run.idempotencyKey } },
    });
    if (!existing) throw error;
    return { row: existing, created: false };
  }
}
