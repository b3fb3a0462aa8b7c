import type { AnyAnalysis } from '../analyses/define.ts';
import type { AnalysisRegistry } from '../analyses/registry.ts';
import type { builtInAnalyses } from '../analyses/built-in.ts';
import { createAnalysisRouter } from './analysis-router.ts';
import { createCallerFactory, router } from './trpc.ts';

export function createAppRouter<const Analyses extends readonly AnyAnalysis[]>(registry: AnalysisRegistry<Analyses>) {
  return router({ analysis: createAnalysisRouter(registry) });
}

/** The router a server with the built-in analyses serves: what clients are typed against. */
export type AppRouter = ReturnType<typeof createAppRouter<typeof builtInAnalyses>>;
export type AnyAppRouter = ReturnType<typeof createAppRouter<readonly AnyAnalysis[]>>;

export { createCallerFactory };
