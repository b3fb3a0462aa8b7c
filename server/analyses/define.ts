import type { z } from 'zod';

export interface StageDefinition {
  key: string;
  label: string;
  /** share of the whole run this stage represents (relative to the other stages); default 1 */
  weight?: number;
}

/** What an analysis sees while it runs. Every method is cheap: call it as often as you like. */
export interface AnalysisContext {
  /** fires when the run is cancelled or the server shuts down; stop soon after */
  readonly signal: AbortSignal;
  /** enter a declared stage; `total` is the number of steps in it, if known */
  stage(key: string, options?: { total?: number; message?: string }): void;
  /** report the position inside the current stage (coalesced before it reaches anyone) */
  step(current: number, message?: string): void;
  /** a line for the run's timeline (published as a `log` event) */
  log(message: string): void;
}

export interface AnalysisDefinition<
  Kind extends string = string,
  InputSchema extends z.ZodType = z.ZodType,
  Result = unknown,
> {
  kind: Kind;
  /** validates and types `input` for `analysis.start` */
  input: InputSchema;
  stages: readonly StageDefinition[];
  /**
   * Set to the defining module's `import.meta.url` to run this analysis in a
   * worker thread (CPU-bound work). The module must `export default` this definition.
   */
  workerModule?: string;
  /** attempts allowed when a run stalls or is interrupted by shutdown; default 1 */
  maxAttempts?: number;
  /** must return JSON-serialisable data: it is stored as the run's `result` */
  run(input: z.output<InputSchema>, ctx: AnalysisContext): Promise<Result> | Result;
}

export type AnyAnalysis = AnalysisDefinition<string, z.ZodType, unknown>;

export function defineAnalysis<Kind extends string, InputSchema extends z.ZodType, Result>(
  definition: AnalysisDefinition<Kind, InputSchema, Result>,
): AnalysisDefinition<Kind, InputSchema, Result> {
  const keys = new Set<string>();
  if (definition.stages.length === 0) throw new Error(`analysis ${definition.kind}: declare at least one stage`);
  for (const stage of definition.stages) {
    if (keys.has(stage.key)) throw new Error(`analysis ${definition.kind}: duplicate stage key ${stage.key}`);
    if (stage.weight !== undefined && !(stage.weight > 0)) {
      throw new Error(`analysis ${definition.kind}: stage ${stage.key} needs a positive weight`);
    }
    keys.add(stage.key);
  }
  return definition;
}
