import { z } from 'zod';
import { defineAnalysis } from '../../server/analyses/define.ts';
import neuronActivationStats from '../../server/analyses/neuron-activation-stats.ts';
import busyWorker from './busy-worker-analysis.ts';
import strayErrorWorker from './stray-error-worker-analysis.ts';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * A controllable analysis for tests: three stages of `steps` steps each,
 * `stepMs` apart. It can fail at a step, or ignore its AbortSignal.
 */
export const scriptedSteps = defineAnalysis({
  kind: 'scripted-steps',
  input: z.object({
    steps: z.number().int().min(0).max(10_000).default(5),
    stepMs: z.number().int().min(0).max(10_000).default(5),
    failAtStep: z.number().int().min(0).optional(),
    ignoreSignal: z.boolean().default(false),
    label: z.string().max(200).default(''),
  }),
  stages: [
    { key: 'load', label: 'Load', weight: 1 },
    { key: 'compute', label: 'Compute', weight: 2 },
    { key: 'write', label: 'Write', weight: 1 },
  ],
  maxAttempts: 2,
  async run(input, ctx) {
    let done = 0;
    for (const stage of ['load', 'compute', 'write']) {
      ctx.stage(stage, { total: input.steps, message: `${stage} started` });
      for (let step = 1; step <= input.steps; step++) {
        await sleep(input.stepMs, input.ignoreSignal ? undefined : ctx.signal);
        done++;
        if (input.failAtStep !== undefined && done === input.failAtStep) {
          throw Object.assign(new Error(`failed at step ${done}`), { code: 'SCRIPTED_FAILURE' });
        }
        ctx.step(step, `${stage} ${step}/${input.steps}`);
      }
    }
    ctx.log('all stages done');
    return { steps: done, label: input.label };
  },
});

/** Runs forever until cancelled (or ignores the cancel): for cancel and shutdown tests. */
export const waitForever = defineAnalysis({
  kind: 'wait-forever',
  input: z.object({ ignoreSignal: z.boolean().default(false) }),
  stages: [{ key: 'wait', label: 'Wait' }],
  async run(input, ctx) {
    ctx.stage('wait', { total: 1 });
    await new Promise<void>((_resolve, reject) => {
      if (!input.ignoreSignal)
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), { once: true });
    });
    return { waited: true };
  },
});

/** Hammers `ctx.step()`: the runner must coalesce. */
export const manySteps = defineAnalysis({
  kind: 'many-steps',
  input: z.object({ steps: z.number().int().min(1).max(5_000_000).default(1_000_000) }),
  stages: [{ key: 'count', label: 'Count' }],
  async run(input, ctx) {
    ctx.stage('count', { total: input.steps });
    for (let i = 1; i <= input.steps; i++) {
      ctx.step(i);
      if (i % 50_000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    return { steps: input.steps };
  },
});

/** Text an analysis reports may hold anything, NUL characters included (PostgreSQL refuses those). */
export const nulText = defineAnalysis({
  kind: 'nul-text',
  input: z.object({}),
  stages: [{ key: 'talk', label: 'Talk' }],
  async run(_input, ctx) {
    ctx.stage('talk', { total: 2, message: 'stage\u0000message' });
    ctx.step(1, 'step\u0000message');
    ctx.log('log\u0000line');
    await new Promise((resolve) => setTimeout(resolve, 30));
    return { text: 'result\u0000text', [`key\u0000`]: 1 };
  },
});

/** Logs in a tight loop: logs are rate-limited like steps. */
export const logFlood = defineAnalysis({
  kind: 'log-flood',
  input: z.object({ lines: z.number().int().min(1).max(1_000_000).default(20_000) }),
  stages: [{ key: 'log', label: 'Log' }],
  async run(input, ctx) {
    ctx.stage('log', { total: input.lines });
    for (let line = 1; line <= input.lines; line++) {
      ctx.log(`line ${line}`);
      ctx.step(line);
      if (line % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    return { lines: input.lines };
  },
});

export const testAnalyses = [
  neuronActivationStats,
  scriptedSteps,
  waitForever,
  manySteps,
  busyWorker,
  strayErrorWorker,
  nulText,
  logFlood,
] as const;
