import { z } from 'zod';
import { defineAnalysis } from '../../server/analyses/define.ts';

/** Returns at once but leaves a timer behind that throws inside its (by then idle) worker thread. */
export default defineAnalysis({
  kind: 'stray-error-worker',
  workerModule: import.meta.url,
  input: z.object({ afterMs: z.number().int().min(0).max(10_000).default(100) }),
  stages: [{ key: 'work', label: 'Work' }],
  run(input, ctx) {
    ctx.stage('work');
    setTimeout(() => {
      throw new Error('stray error after the run');
    }, input.afterMs);
    return { done: true };
  },
});
