import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import type { Context } from './context.ts';
import { sharedAwareTransformer } from './shared-serialization.ts';

const t = initTRPC.context<Context>().create({
  transformer: sharedAwareTransformer,
  // stack traces only where someone asked for them: they would show server paths to any caller
  isDev: process.env.NODE_ENV === 'development',
  errorFormatter({ shape, error }) {
    const issues =
      error.cause instanceof ZodError
        ? error.cause.issues.map((issue) => ({
            path: issue.path.map(String),
            message: issue.message,
            code: issue.code,
          }))
        : null;
    return { ...shape, data: { ...shape.data, issues } };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export const authedProcedure = t.procedure.use(({ ctx, next }) => {
  if (ctx.userId === null) {
    ctx.rejectConnection?.();
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'missing or invalid token' });
  }
  return next({ ctx: { ...ctx, userId: ctx.userId } });
});
