import { z } from 'zod';
import { defineAnalysis } from '../server/analyses/define.ts';
import neuronActivationStats from '../server/analyses/neuron-activation-stats.ts';
import { clockMs, sleep } from './lib/stats.ts';

let releaseHeld: (() => void) | null = null;
let held: Promise<void> = new Promise((resolve) => (releaseHeld = resolve));

/**
 * Lets every run of this process that is waiting for a release go on: the
 * `bench-held` runs and the `bench-stamped-steps` runs started with
 * `waitForRelease`. A run waits from its first stage on, so a client that saw
 * that stage knows the run is waiting.
 */
export function releaseHeldRuns(): void {
  releaseHeld?.();
  held = new Promise((resolve) => (releaseHeld = resolve));
}

/** The unit of work of the throughput and start-latency scenarios: ten progress steps, then done. */
export const tenSteps = defineAnalysis({
  kind: 'bench-ten-steps',
  input: z.object({}),
  stages: [{ key: 'work', label: 'Work' }],
  run(_input, ctx) {
    ctx.stage('work', { total: 10 });
    for (let step = 1; step <= 10; step++) ctx.step(step);
    return { steps: 10 };
  },
});

/**
 * Progress latency: `steps` steps `stepMs` apart, each stamped with the wall
 * clock at the `ctx.step()` call (as the step message), so a subscriber can
 * tell how old the step it sees is. With `waitForRelease`, the steps begin
 * at `releaseHeldRuns()` (once every subscriber is listening).
 */
export const stampedSteps = defineAnalysis({
  kind: 'bench-stamped-steps',
  input: z.object({
    steps: z.number().int().min(1).max(100_000),
    stepMs: z.number().min(0).max(60_000),
    waitForRelease: z.boolean().default(false),
  }),
  stages: [{ key: 'work', label: 'Work' }],
  async run(input, ctx) {
    ctx.stage('work', { total: input.steps });
    if (input.waitForRelease) await held;
    for (let step = 1; step <= input.steps; step++) {
      await sleep(input.stepMs);
      ctx.step(step, String(clockMs()));
    }
    return { steps: input.steps };
  },
});

/**
 * Write amplification: `steps` calls of `ctx.step()` spread evenly over
 * `durationMs` (a chunk every millisecond or so), so the report rate is high
 * for a run long enough to count writes per second.
 */
export const manySteps = defineAnalysis({
  kind: 'bench-many-steps',
  input: z.object({ steps: z.number().int().min(1).max(10_000_000), durationMs: z.number().int().min(0) }),
  stages: [{ key: 'work', label: 'Work' }],
  async run(input, ctx) {
    ctx.stage('work', { total: input.steps });
    const started = performance.now();
    let step = 0;
    while (step < input.steps) {
      const due = Math.min(
        input.steps,
        Math.max(step + 1, Math.ceil(((performance.now() - started) / input.durationMs) * input.steps)),
      );
      while (step < due) ctx.step(++step);
      await sleep(1);
    }
    return { steps: step };
  },
});

/** Fan-out: runs (heartbeats only) until `releaseHeldRuns()` is called in the server's process. */
export const heldRun = defineAnalysis({
  kind: 'bench-held',
  input: z.object({}),
  stages: [{ key: 'hold', label: 'Hold' }],
  async run(_input, ctx) {
    ctx.stage('hold');
    await held;
    return { released: true };
  },
});

export const benchAnalyses = [tenSteps, stampedSteps, manySteps, heldRun, neuronActivationStats] as const;
