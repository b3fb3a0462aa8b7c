// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { AnalysisProgress, formatDuration, type RunSnapshot } from '../../client/react/index.ts';

const t0 = new Date('2026-01-01T10:00:00Z');

function snapshot(overrides: Partial<RunSnapshot>): RunSnapshot {
  return {
    id: 'r1',
    kind: 'neuron-activation-stats',
    status: 'running',
    progress: 42.7,
    stage: { key: 'stats', label: 'Compute statistics', index: 1, count: 4 },
    step: { current: 1500, total: 3000 },
    message: 'layer 3 of 6',
    etaMs: 12_000,
    input: { layers: 6, neuronsPerLayer: 256, samples: 9000, topK: 5, seed: 1 },
    result: null,
    error: null,
    cancelRequested: false,
    cancelReason: null,
    createdAt: t0,
    startedAt: new Date(Date.now() - 5_000),
    finishedAt: null,
    updatedAt: t0,
    heartbeatAt: t0,
    seq: 10,
    attempt: 1,
    ...overrides,
  };
}

describe('AnalysisProgress', () => {
  afterEach(cleanup);

  it('is an accessible progress bar with stage, step, message, ETA and elapsed time', () => {
    render(<AnalysisProgress run={snapshot({})} />);
    const bar = screen.getByRole('progressbar', { name: 'neuron-activation-stats progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('42');
    expect(bar.getAttribute('aria-valuemin')).toBe('0');
    expect(bar.getAttribute('aria-valuemax')).toBe('100');
    expect(bar.getAttribute('aria-valuetext')).toBe('42%, Running, Stage 2/4 · Compute statistics');
    const text = document.body.textContent ?? '';
    expect(text).toContain('Stage 2/4 · Compute statistics');
    expect(text).toContain('step 1,500/3,000');
    expect(text).toContain('ETA 12 s');
    expect(text).toMatch(/elapsed [5-6] s/);
    expect(text).toContain('layer 3 of 6');
  });

  it.each([
    [
      { status: 'queued', progress: 0, stage: null, step: null, startedAt: null, etaMs: null },
      false,
      'queued',
      'Queued',
    ],
    [{}, true, 'stalled', 'Stalled'],
    [{ cancelRequested: true }, false, 'cancelling', 'Cancelling'],
    [{ status: 'completed', progress: 100, finishedAt: new Date() }, false, 'completed', 'Completed'],
    [
      { status: 'failed', error: { code: 'BOOM', message: 'disk full' }, finishedAt: new Date() },
      false,
      'failed',
      'BOOM: disk full',
    ],
    [{ status: 'cancelled', finishedAt: new Date() }, false, 'cancelled', 'Cancelled'],
  ] as const)('looks distinct for %o (stalled: %s)', (overrides, isStalled, look, text) => {
    const { container } = render(<AnalysisProgress run={snapshot(overrides)} isStalled={isStalled} />);
    const root = container.firstElementChild as HTMLElement;
    expect(root.dataset.look).toBe(look);
    expect(root.textContent).toContain(text);
  });

  it('does not show an ETA for a finished run, and says how long it took', () => {
    const startedAt = new Date(t0.getTime() - 65_000);
    render(<AnalysisProgress run={snapshot({ status: 'completed', progress: 100, startedAt, finishedAt: t0 })} />);
    const text = document.body.textContent ?? '';
    expect(text).not.toContain('ETA');
    expect(text).toContain('took 1 min 05 s');
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
  });
});

describe('formatDuration', () => {
  it.each([
    [850, '850 ms'],
    [12_400, '12 s'],
    [185_000, '3 min 05 s'],
    [3_720_000, '1 h 02 min'],
    [-1, '–'],
  ])('%d ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
