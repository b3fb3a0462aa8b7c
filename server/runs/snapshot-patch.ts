import type { RunSnapshot } from './snapshot.ts';

/**
 * Events store only the snapshot fields they changed; the full snapshot after
 * any event is the fold of all patches up to it. Dates travel as ISO strings.
 */
export type SnapshotPatch = Record<string, unknown>;

const dateFields = new Set(['createdAt', 'startedAt', 'finishedAt', 'updatedAt', 'heartbeatAt']);
/** Constant for a run's life, so never repeated in patches after the first. */
const constantFields = new Set(['id', 'kind', 'input', 'createdAt']);

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a && b && typeof a === 'object' && typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

function encode(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/** The whole snapshot as a patch: the first event of a run. */
export function fullPatch(snapshot: RunSnapshot): SnapshotPatch {
  const patch: SnapshotPatch = {};
  for (const [key, value] of Object.entries(snapshot)) patch[key] = encode(value);
  return patch;
}

export function diffSnapshots(before: RunSnapshot, after: RunSnapshot): SnapshotPatch {
  const patch: SnapshotPatch = {};
  for (const [key, value] of Object.entries(after)) {
    if (constantFields.has(key)) continue;
    if (!sameValue((before as unknown as Record<string, unknown>)[key], value)) patch[key] = encode(value);
  }
  return patch;
}

export function applyPatch(base: RunSnapshot | null, patch: SnapshotPatch): RunSnapshot {
  const next: Record<string, unknown> = { ...(base ?? {}) };
  for (const [key, value] of Object.entries(patch)) {
    next[key] = dateFields.has(key) && typeof value === 'string' ? new Date(value) : value;
  }
  return next as unknown as RunSnapshot;
}
