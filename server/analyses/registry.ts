import type { z } from 'zod';
import type { RunSnapshotOf } from '../../shared/run.ts';
import type { AnalysisDefinition, AnyAnalysis } from './define.ts';

/** The analyses a server runs, looked up by kind. */
export interface AnalysisRegistry<Analyses extends readonly AnyAnalysis[] = readonly AnyAnalysis[]> {
  readonly analyses: Analyses;
  readonly kinds: readonly string[];
  get(kind: string): AnyAnalysis | undefined;
}

export function createRegistry<const Analyses extends readonly AnyAnalysis[]>(
  analyses: Analyses,
): AnalysisRegistry<Analyses> {
  const byKind = new Map<string, AnyAnalysis>();
  for (const analysis of analyses) {
    if (byKind.has(analysis.kind)) throw new Error(`analysis kind registered twice: ${analysis.kind}`);
    byKind.set(analysis.kind, analysis);
  }
  return { analyses, kinds: [...byKind.keys()], get: (kind) => byKind.get(kind) };
}

/** The snapshot of a run of analysis `A`: `input` and `result` typed by its kind. */
export type SnapshotOf<A> =
  A extends AnalysisDefinition<infer Kind, infer InputSchema, infer Result>
    ? RunSnapshotOf<Kind, z.output<InputSchema>, Awaited<Result>>
    : never;

/** Union of the snapshots of every registered kind, discriminated by `kind`. */
export type SnapshotFor<Analyses extends readonly AnyAnalysis[]> = SnapshotOf<Analyses[number]>;

/** What `analysis.start` accepts: `input` follows the chosen `kind`. */
export type StartInputFor<Analyses extends readonly AnyAnalysis[]> = Analyses[number] extends infer A
  ? A extends AnalysisDefinition<infer Kind, infer InputSchema, unknown>
    ? { kind: Kind; input: z.input<InputSchema>; idempotencyKey?: string | undefined }
    : never
  : never;

export type KindOf<Analyses extends readonly AnyAnalysis[]> = Analyses[number]['kind'];
