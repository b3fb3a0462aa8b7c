import { TRPCClientError } from '@trpc/client';
import { exitCodes } from './exit-codes.ts';

/** A failure the CLI reports as text lines and an exit code (no stack trace: the user did nothing wrong in code). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly details: string[] = [],
    /** printed as is after the message and details (usage text) */
    readonly help: string | null = null,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function usageError(message: string, help: string | null = null): CliError {
  return new CliError(message, exitCodes.usage, [], help);
}

interface Issue {
  path?: unknown;
  message?: unknown;
}

function issueLines(issues: unknown): string[] {
  if (!Array.isArray(issues)) return [];
  return issues.map((issue: Issue) => {
    const path = Array.isArray(issue.path) && issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${path}: ${String(issue.message)}`;
  });
}

/** The innermost cause's message: `connect ECONNREFUSED 127.0.0.1:3000` rather than `fetch failed`. */
function rootCauseMessage(error: Error): string {
  let root: unknown = error;
  while (root instanceof Error && root.cause instanceof Error) root = root.cause;
  return root instanceof Error ? root.message : String(root);
}

/** Turns what a tRPC call threw into the message and exit code the user sees. */
export function toCliError(error: unknown, serverUrl: string): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof TRPCClientError) {
    const data = (error as TRPCClientError<never>).data as { code?: string; issues?: unknown } | undefined;
    switch (data?.code) {
      case 'BAD_REQUEST': {
        const issues = issueLines(data.issues);
        return new CliError(
          issues.length > 0 ? 'the server rejected the input:' : error.message,
          exitCodes.usage,
          issues,
        );
      }
      case 'UNAUTHORIZED':
        return new CliError(
          `UNAUTHORIZED: ${error.message} (pass --token or set ANALYSIS_TOKEN)`,
          exitCodes.connection,
        );
      case 'NOT_FOUND':
        return new CliError(`NOT_FOUND: ${error.message}`, exitCodes.connection);
      case 'CONFLICT':
        return new CliError(`CONFLICT: ${error.message}`, exitCodes.usage);
      case undefined:
        break;
      default:
        return new CliError(`${data?.code}: ${error.message}`, exitCodes.connection);
    }
    return new CliError(`cannot reach the server at ${serverUrl}: ${rootCauseMessage(error)}`, exitCodes.connection);
  }
  return new CliError(error instanceof Error ? error.message : String(error), exitCodes.connection);
}
