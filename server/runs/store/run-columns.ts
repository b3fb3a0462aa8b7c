import type { RunSnapshot } from '../interfaces.ts';
import { rowFieldsFromSnapshot } from '../snapshot.ts';

type SnapshotFields = ReturnType<typeof rowFieldsFromSnapshot>;

/** The run columns a snapshot sets, in the order the write statements bind them. */
export const snapshotColumns = [
  'status',
  'progress',
  'stageIndex',
  'stepCurrent',
  'stepTotal',
  'message',
  'etaMs',
  'errorCode',
  'errorMessage',
  'cancelRequested',
  'cancelReason',
  'attempt',
  'seq',
  'startedAt',
  'finishedAt',
  'updatedAt',
  'heartbeatAt',
] as const satisfies ReadonlyArray<keyof SnapshotFields>;

/** The snapshot's column values in `snapshotColumns` order, each passed through `encode`. */
export function snapshotValues(
  snapshot: RunSnapshot,
  encode: (value: SnapshotFields[keyof SnapshotFields]) => unknown,
): unknown[] {
  const fields = rowFieldsFromSnapshot(snapshot);
  return snapshotColumns.map((column) => encode(fields[column]));
}

export function quoted(column: string): string {
  return `"${column}"`;
}
