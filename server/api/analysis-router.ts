import { tracked, TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { ProgressEventOf } from '../../shared/events.ts';
import { runStatuses, type CancelOutcome, type StageTimeline } from '../../shared/run.ts';
import type { AnyAnalysis } from '../analyses/define.ts';
import type { AnalysisRegistry, KindOf, SnapshotFor, StartInputFor } from '../analyses/registry.ts';
import type { RunSnapshot } from '../runs/interfaces.ts';
import { RunNotFoundError } from '../runs/progress-stream.ts';
import { IdempotencyConflictError, InvalidCursorError, UnknownKindError } from '../runs/run-service.ts';
import { markShared } from './shared-serialization.ts';

import { authedProcedure, router } from './trpc.ts';

/**
 * Where a progress event holds Dates; everything else in it is plain JSON
 * (`input` went through JSON on its way into storage, `result` through
 * `toStoredJson`), so its serialization needs no walk over the whole event.
 */
export const eventDatePaths = [
  'at',
  'run.createdAt',
  'run.startedAt',
  'run.finishedAt',
  'run.updatedAt',
  'run.heartbeatAt',
] as const satisfies ReadonlyArray<'at' | `run.${Extract<keyof RunSnapshot, string>}`>;

const maxInputJsonBytes = 64 * 1024;
const RunId = z.string().min(1).max(100);
const nulMessage = 'must not contain NUL characters';
/** Free text that is stored: PostgreSQL refuses NUL in text and jsonb. */
const StoredText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((text) => !text.includes('\u0000'), nulMessage);

function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([key, inner]) => key.includes('\u0000') || containsNul(inner));
  }
  return false;
}

function toTRPCError(error: unknown): unknown {
  if (error instanceof RunNotFoundError) return new TRPCError({ code: 'NOT_FOUND', message: error.message });
  if (error instanceof IdempotencyConflictError) return new TRPCError({ code: 'CONFLICT', message: error.message });
  if (error instanceof InvalidCursorError || error instanceof UnknownKindError) {
    return new TRPCError({ code: 'BAD_REQUEST', message: error.message });
  }
  return error;
}

function notFound(runId: string): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: `run ${runId} not found` });
}

/** `analysis.start`'s input: a union over the registered kinds, each with its own input schema. */
function startInputSchema(analyses: readonly AnyAnalysis[]) {
  const options = analyses.map((analysis) =>
    z.strictObject({
      kind: z.literal(analysis.kind),
      input: analysis.input,
      idempotencyKey: StoredText(200).min(1).optional(),
    }),
  );
  const [first, ...rest] = options;
  if (!first) throw new Error('register at least one analysis');
  return z.discriminatedUnion('kind', [first, ...rest]).superRefine((value, ctx) => {
    if (JSON.stringify(value.input ?? null).length > maxInputJsonBytes) {
      ctx.addIssue({
        code: 'custom',
        path: ['input'],
        message: `input is larger than ${maxInputJsonBytes} bytes of JSON`,
      });
    } else if (containsNul(value.input)) {
      ctx.addIssue({ code: 'custom', path: ['input'], message: `input ${nulMessage}` });
    }
  });
}

/**
 * The `analysis` router for a set of analyses. Its types come from that set:
 * `start` checks `input` against the chosen kind, and snapshots carry typed
 * `input` and `result` per kind.
 */
export function createAnalysisRouter<const Analyses extends readonly AnyAnalysis[]>(
  registry: AnalysisRegistry<Analyses>,
) {
  type Snapshot = SnapshotFor<Analyses>;
  type Kind = KindOf<Analyses>;
  type StartParsed = { kind: string; input: unknown; idempotencyKey?: string | undefined };
  // inputs were validated by the kind's schema and results produced by the kind's `run`:
  // this is where the stored, untyped JSON regains the types the registry promises
  const typed = (run: RunSnapshot) => run as Snapshot;

  const kinds = registry.kinds as [Kind, ...Kind[]];
  const startInput = startInputSchema(registry.analyses) as unknown as z.ZodType<StartParsed, StartInputFor<Analyses>>;

  const kindDescriptions = registry.analyses.map((analysis) => ({
    kind: analysis.kind,
    stages: analysis.stages.map((stage) => ({ key: stage.key, label: stage.label, weight: stage.weight ?? 1 })),
    /** JSON Schema of `start`'s `input` for this kind (defaults, bounds, descriptions): forms and CLIs build on it */
    inputSchema: z.toJSONSchema(analysis.input, { io: 'input', unrepresentable: 'any' }),
  }));

  return router({
    /** The registered kinds: stages and the JSON Schema of their input. */
    kinds: authedProcedure.query(() => kindDescriptions),

    start: authedProcedure.input(startInput).mutation(async ({ ctx, input }): Promise<Snapshot> => {
      try {
        return typed(await ctx.runs.start(ctx.userId, input.kind, input.input, input.idempotencyKey ?? null));
      } catch (error) {
        throw toTRPCError(error);
      }
    }),

    get: authedProcedure
      .input(z.object({ runId: RunId }))
      .query(async ({ ctx, input }): Promise<Snapshot & { stages: StageTimeline[] }> => {
        const run = await ctx.runs.get(ctx.userId, input.runId);
        if (!run) throw notFound(input.runId);
        return { ...typed(run), stages: run.stages };
      }),

    history: authedProcedure
      .input(
        z
          .object({
            limit: z.number().int().min(1).max(100).default(20),
            cursor: z.string().max(200).nullish(),
            status: z.array(z.enum(runStatuses)).max(5).nullish(),
            kind: z.enum(kinds).nullish(),
          })
          .default({ limit: 20 }),
      )
      .query(async ({ ctx, input }): Promise<{ items: Snapshot[]; nextCursor: string | null }> => {
        try {
          const page = await ctx.runs.history(ctx.userId, {
            limit: input.limit,
            cursor: input.cursor ?? null,
            statuses: input.status && input.status.length > 0 ? input.status : null,
            kind: input.kind ?? null,
          });
          return { items: page.items.map(typed), nextCursor: page.nextCursor };
        } catch (error) {
          throw toTRPCError(error);
        }
      }),

    cancel: authedProcedure
      .input(z.object({ runId: RunId, reason: StoredText(500).optional() }))
      .mutation(async ({ ctx, input }): Promise<{ run: Snapshot; outcome: CancelOutcome }> => {
        const result = await ctx.runs.cancel(ctx.userId, input.runId, input.reason ?? null);
        if (!result) throw notFound(input.runId);
        return { run: typed(result.run), outcome: result.outcome };
      }),

    progress: authedProcedure
      .input(
        z.object({
          runId: RunId,
          lastEventId: z
            .string()
            .regex(/^\d{1,15}$/)
            .nullish(),
        }),
      )
      .subscription(async function* ({ ctx, input, signal }) {
        const lastEventId = input.lastEventId ? Number(input.lastEventId) : null;
        try {
          for await (const event of ctx.runs.progress(ctx.userId, input.runId, lastEventId, signal)) {
            // the same event object goes to every subscriber of the run: serialized once for all
            yield tracked(String(event.seq), markShared(event as ProgressEventOf<Snapshot>, eventDatePaths));
          }
        } catch (error) {
          throw toTRPCError(error);
        }
      }),
  });
}
