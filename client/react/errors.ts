import { TRPCClientError } from '@trpc/client';

/** A 4xx answer (bad input, unknown run, bad token): asking again will not help. */
export function isClientError(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const status = (error.data as { httpStatus?: number } | undefined)?.httpStatus;
  return status !== undefined && status >= 400 && status < 500;
}
