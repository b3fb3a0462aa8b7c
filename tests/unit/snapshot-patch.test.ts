import { describe, expect, it } from 'vitest';
import type { RunSnapshot } from '../../server/runs/interfaces.ts';
import { applyPatch, diffSnapshots, fullPatch } from '../../server/runs/snapshot-patch.ts';

const base: RunSnapshot = {
  id: 'r1',
  kind: 'k',
  status: 'queued',
  progress: 0,
  stage: null,
  step: null,
  message: null,
  etaMs: null,
  input: { a: 1, nested: { b: [1, 2] } },
  result: null,
  error: null,
  cancelRequested: false,
  cancelReason: null,
  createdAt: new Date('2026-01-01T00:00:00.000Z'),
  startedAt: null,
  finishedAt: null,
  updatedAt: new Date('2026-01-01T00:00:00.000Z'),
  heartbeatAt: null,
  seq: 1,
  attempt: 1,
};

describe('snapshot patches', () => {
  it('round-trips a full snapshot through JSON', () => {
    const stored: unknown = JSON.parse(JSON.stringify(fullPatch(base)));
    expect(applyPatch(null, stored as Record<string, unknown>)).toEqual(base);
  });

  it('stores only what changed and folds back to the same snapshot', () => {
    const running: RunSnapshot = {
      ...base,
      status: 'running',
      startedAt: new Date('2026-01-01T00:00:01.000Z'),
      updatedAt: new Date('2026-01-01T00:00:01.000Z'),
      stage: { key: 's', label: 'S', index: 0, count: 2 },
      seq: 2,
    };
    const patch = diffSnapshots(base, running);
    expect(Object.keys(patch).sort()).toEqual(['seq', 'stage', 'startedAt', 'status', 'updatedAt']);
    const folded = applyPatch(
      applyPatch(null, fullPatch(base)),
      JSON.parse(JSON.stringify(patch)) as Record<string, unknown>,
    );
    expect(folded).toEqual(running);
  });

  it('never repeats the constant fields', () => {
    const changed = { ...base, input: { other: true }, seq: 2 };
    expect(diffSnapshots(base, changed)).toEqual({ seq: 2 });
  });

  it('records fields that became null', () => {
    const withMessage = { ...base, message: 'hi', seq: 2 };
    const cleared = { ...withMessage, message: null, seq: 3 };
    expect(diffSnapshots(withMessage, cleared)).toEqual({ message: null, seq: 3 });
  });
});
