import { describe, expect, it } from 'vitest';
import { ProgressReporter, type AnalysisReport } from '../../server/analyses/progress-reporter.ts';

describe('ProgressReporter', () => {
  it('coalesces a million steps into a handful of reports, keeping the last position', async () => {
    const reports: AnalysisReport[] = [];
    const reporter = new ProgressReporter(new AbortController().signal, (r) => reports.push(r), 50);
    reporter.stage('count', { total: 1_000_000 });
    for (let i = 1; i <= 1_000_000; i++) reporter.step(i);
    reporter.close();
    const steps = reports.filter((r) => r.type === 'step');
    expect(steps.length).toBeLessThan(200);
    expect(steps.at(-1)).toEqual({ type: 'step', current: 1_000_000, message: null });
  });

  it('sends the pending step before a stage change or a log, in order', () => {
    const reports: AnalysisReport[] = [];
    const reporter = new ProgressReporter(new AbortController().signal, (r) => reports.push(r), 10_000);
    reporter.stage('a', { total: 10 });
    reporter.step(1);
    reporter.step(2, 'two'); // inside the interval: held back
    reporter.log('note');
    reporter.step(3);
    reporter.stage('b');
    expect(reports).toEqual([
      { type: 'stage', key: 'a', total: 10, message: null },
      { type: 'step', current: 1, message: null },
      { type: 'step', current: 2, message: 'two' },
      { type: 'log', message: 'note' },
      { type: 'step', current: 3, message: 'two' },
      { type: 'stage', key: 'b', total: null, message: null },
    ]);
    reporter.close();
  });

  it('delivers a trailing step after a quiet interval', async () => {
    const reports: AnalysisReport[] = [];
    const reporter = new ProgressReporter(new AbortController().signal, (r) => reports.push(r), 20);
    reporter.step(1);
    reporter.step(2);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(reports.map((r) => (r.type === 'step' ? r.current : r.type))).toEqual([1, 2]);
    reporter.close();
  });

  it('clips long messages and ignores reports after close', () => {
    const reports: AnalysisReport[] = [];
    const reporter = new ProgressReporter(new AbortController().signal, (r) => reports.push(r), 0);
    reporter.log('x'.repeat(2000));
    reporter.close();
    reporter.log('late');
    expect(reports).toHaveLength(1);
    expect(reports[0]?.type === 'log' && reports[0].message.length).toBe(500);
  });

  it('lets CPU-bound code see an abort requested from another thread', () => {
    const controller = new AbortController();
    let flag = false;
    const reporter = new ProgressReporter(
      controller.signal,
      () => {},
      50,
      () => flag,
      () => controller.abort(),
    );
    reporter.step(1);
    expect(controller.signal.aborted).toBe(false);
    flag = true;
    reporter.step(2);
    expect(controller.signal.aborted).toBe(true);
  });
});
