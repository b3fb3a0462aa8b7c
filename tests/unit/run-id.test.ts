import { describe, expect, it } from 'vitest';
import { newRunId } from '../../server/runs/run-id.ts';

describe('newRunId', () => {
  it('is a version 7 UUID', () => {
    expect(newRunId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sorts in creation order within one millisecond and across many', () => {
    const now = Date.now() + 60_000;
    const ids = [
      ...Array.from({ length: 5000 }, () => newRunId(now)),
      ...Array.from({ length: 10 }, () => newRunId(now - 5)), // a clock step back keeps the order
      ...Array.from({ length: 10 }, (_, i) => newRunId(now + 10 + i)),
    ];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
