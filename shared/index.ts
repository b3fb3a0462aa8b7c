import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../server/api/app-router.ts';
import type { ProgressEventOf } from './events.ts';

export * from './run.ts';
export * from './events.ts';
export * from './error-codes.ts';

/** Types inferred from the router (type-only: no server code reaches a client bundle). */
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** A run of any built-in kind; narrow on `kind` for a typed `input` and `result`. */
export type RunSnapshot = RouterOutputs['analysis']['get'] extends infer Run
  ? Run extends { stages: unknown }
    ? Omit<Run, 'stages'>
    : never
  : never;
export type RunDetails = RouterOutputs['analysis']['get'];
export type StartAnalysisInput = RouterInputs['analysis']['start'];
export type HistoryPage = RouterOutputs['analysis']['history'];
export type CancelResult = RouterOutputs['analysis']['cancel'];
export type AnalysisKind = StartAnalysisInput['kind'];
export type ProgressEvent = ProgressEventOf<RunSnapshot>;
