import { describe, expect, it } from 'vitest';
import { EtaEstimator, maxRunningProgress, nextProgress, weightedProgress } from '../../server/runs/progress-model.ts';

describe('weightedProgress', () => {
  it('weights stages and the step inside the current one', () => {
    expect(weightedProgress([1, 2, 1], 0, 0)).toBe(0);
    expect(weightedProgress([1, 2, 1], 0, 1)).toBe(25);
    expect(weightedProgress([1, 2, 1], 1, 0.5)).toBe(50);
    expect(weightedProgress([1, 2, 1], 2, 0.5)).toBeCloseTo(87.5);
  });

  it('never reports 100 before completion and tolerates nonsense fractions', () => {
    expect(weightedProgress([1], 0, 1)).toBe(maxRunningProgress);
    expect(weightedProgress([1, 1], 1, 7)).toBe(maxRunningProgress);
    expect(weightedProgress([1, 1], 0, -3)).toBe(0);
    expect(weightedProgress([1, 1], 0, Number.NaN)).toBe(0);
    expect(weightedProgress([], 0, 0.5)).toBe(0);
  });
});

describe('nextProgress', () => {
  it('does not go backwards', () => {
    expect(nextProgress(40, 30)).toBe(40);
    expect(nextProgress(40, 41.234)).toBe(41.23);
  });
});

describe('EtaEstimator', () => {
  it('estimates from the observed rate', () => {
    const eta = new EtaEstimator();
    expect(eta.observe(0, 0)).toBeNull();
    expect(eta.observe(1000, 10)).toBe(9000);
    expect(eta.observe(2000, 20)).toBe(8000);
  });

  it('follows a change of pace within its window', () => {
    const eta = new EtaEstimator(2000);
    for (let t = 0; t <= 10_000; t += 500) eta.observe(t, t / 1000); // 1 %/s
    const slow = eta.observe(10_500, 10.5)!;
    for (let t = 11_000; t <= 14_000; t += 500) eta.observe(t, 10.5 + (t - 10_500) / 100); // 10 %/s
    const fast = eta.observe(14_500, 50.5)!;
    expect(slow).toBeGreaterThan(80_000);
    expect(fast).toBeLessThan(10_000);
  });

  it('gives no estimate without progress', () => {
    const eta = new EtaEstimator();
    eta.observe(0, 5);
    expect(eta.observe(5000, 5)).toBeNull();
  });
});
