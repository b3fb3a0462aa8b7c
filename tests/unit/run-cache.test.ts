import type { InfiniteData } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { historyAfterRun, isLaterState, keepNewerRun, runDetailsAfterEvent } from '../../client/react/run-cache.ts';
import type { HistoryPage, ProgressEvent, RunDetails, RunSnapshot } from '../../shared/index.ts';

const at = new Date('2026-01-01T00:00:00Z');
const stages = [
  { key: 'a', label: 'A', status: 'completed', startedAt: at, finishedAt: at },
  { key: 'b', label: 'B', status: 'running', startedAt: at, finishedAt: null },
] as RunDetails['stages'];

function run(overrides: Partial<RunSnapshot>): RunSnapshot {
  return { id: 'r', status: 'running', seq: 10, attempt: 1, progress: 40, stage: null, ...overrides } as RunSnapshot;
}
const details = (overrides: Partial<RunSnapshot>) => ({ ...run(overrides), stages }) as RunDetails;
const event = (type: ProgressEvent['type'], overrides: Partial<RunSnapshot>): ProgressEvent => ({
  type,
  runId: 'r',
  seq: overrides.seq ?? 10,
  at,
  run: run(overrides),
});

describe('folding events into the cached run', () => {
  it('orders states by seq within an attempt; an end state or a later attempt always wins', () => {
    expect(isLaterState(run({ seq: 10 }), run({ seq: 11 }))).toBe(true);
    expect(isLaterState(run({ seq: 11 }), run({ seq: 10 }))).toBe(false);
    expect(isLaterState(run({ seq: 10 }), run({ seq: 10 }))).toBe(false);
    // after a crash the recovery may carry a lower seq than progress the client saw
    expect(isLaterState(run({ seq: 17 }), run({ seq: 15, status: 'failed' }))).toBe(true);
    expect(isLaterState(run({ seq: 17 }), run({ seq: 15, status: 'queued', attempt: 2 }))).toBe(true);
    expect(isLaterState(run({ seq: 20, status: 'completed' }), run({ seq: 21, status: 'running' }))).toBe(false);
  });

  it('applies newer events with the timeline folded, and reports "no change" for stale ones', () => {
    const cached = details({ seq: 10 });
    expect(runDetailsAfterEvent(cached, event('progress', { seq: 9 }))).toBeUndefined();
    expect(runDetailsAfterEvent(undefined, event('progress', { seq: 11 }))).toBeUndefined();
    const failed = runDetailsAfterEvent(cached, event('failed', { seq: 11, status: 'failed' }));
    expect(failed?.status).toBe('failed');
    expect(failed?.stages.map((stage) => stage.status)).toEqual(['completed', 'failed']);
    // a snapshot keeps the timeline (it is refetched)
    expect(runDetailsAfterEvent(cached, event('snapshot', { seq: 12 }))?.stages).toBe(stages);
  });

  it('keeps a later cached state over an older fetched answer', () => {
    const newer = details({ seq: 12 });
    const older = details({ seq: 11 });
    expect(keepNewerRun(newer, older)).toBe(newer);
    expect(keepNewerRun(older, newer)).toBe(newer);
    expect(keepNewerRun(undefined, older)).toBe(older);
    const stalled = details({ seq: 9, status: 'failed' });
    expect(keepNewerRun(newer, stalled)).toBe(stalled);
  });

  it('updates a history row in place, and writes nothing when no page shows the run', () => {
    const data: InfiniteData<HistoryPage> = {
      pages: [{ items: [run({ id: 'x' }), run({ seq: 10 })], nextCursor: null }] as HistoryPage[],
      pageParams: [null],
    };
    const updated = historyAfterRun(data, run({ seq: 11, progress: 60 }));
    expect(updated?.pages[0]?.items[1]?.progress).toBe(60);
    expect(updated?.pages[0]?.items[0]).toBe(data.pages[0]?.items[0]);
    expect(historyAfterRun(data, run({ seq: 9 }))).toBeUndefined();
    expect(historyAfterRun(data, run({ id: 'elsewhere', seq: 50 }))).toBeUndefined();
  });
});
