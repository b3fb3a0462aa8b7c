import type { RouterOutputs } from '../../shared/index.ts';
import { usageError, type CliError } from './errors.ts';
import { exitCodes } from './exit-codes.ts';
import { printable } from './format.ts';
import type { Session } from './session.ts';

/** A registered kind as `analysis.kinds` describes it: stages and the JSON Schema of its input. */
export type KindDescription = RouterOutputs['analysis']['kinds'][number];

export async function fetchKinds(session: Session, signal?: AbortSignal): Promise<KindDescription[]> {
  try {
    return await session.client.analysis.kinds.query(undefined, { signal });
  } catch (error) {
    throw session.fail(error);
  }
}

export function unknownKindError(kind: string, kinds: readonly KindDescription[]): CliError {
  const names = kinds.map((known) => printable(known.kind)).join(', ');
  return usageError(`unknown kind ${kind} (the server has: ${names || 'none'})`);
}

/**
 * `start` sends the kind as typed and lets the server judge it; when the
 * server rejects the request, this finds out whether the kind was the
 * reason, so the user learns which kinds there are rather than a schema issue.
 */
export async function explainRejectedKind(session: Session, kind: string, failure: CliError): Promise<CliError> {
  if (failure.exitCode !== exitCodes.usage) return failure;
  let kinds: KindDescription[];
  try {
    kinds = await fetchKinds(session);
  } catch {
    return failure;
  }
  return kinds.some((known) => known.kind === kind) ? failure : unknownKindError(kind, kinds);
}
