import { z } from 'zod';
import { defineAnalysis } from '../../server/analyses/define.ts';

/**
 * CPU-bound work in a worker thread that never yields to its event loop: it
 * can only notice a cancel through `ctx.step()` (or not at all, with `ignoreSignal`).
 */
export default defineAnalysis({
  kind: 'busy-worker',
  workerModule: import.meta.url,
  input: z.object({
    milliseconds: z.number().int().min(1).max(600_000).default(60_000),
    ignoreSignal: z.boolean().default(false),
  }),
  stages: [{ key: 'spin', label: 'Spin' }],
  run(input, ctx) {
    ctx.stage('spin', { total: input.milliseconds });
    const started = Date.now();
    for (let elapsed = 0; elapsed < input.milliseconds; elapsed = Date.now() - started) {
      if (input.ignoreSignal) continue;
      ctx.step(elapsed);
      if (ctx.signal.aborted) throw ctx.signal.reason;
    }
    return { spun: input.milliseconds };
  },
});
