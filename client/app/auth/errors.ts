import { TRPCClientError } from '@trpc/client';

interface ErrorData {
  code?: string;
  httpStatus?: number;
  issues?: Array<{ path: string[]; message: string }> | null;
}

function errorData(error: unknown): ErrorData | undefined {
  return error instanceof TRPCClientError ? (error.data as ErrorData | undefined) : undefined;
}

export function isUnauthorized(error: unknown): boolean {
  return errorData(error)?.code === 'UNAUTHORIZED';
}

/** Validation issues of a BAD_REQUEST answer, keyed by the top-level input field ('' for the whole input). */
export function inputIssues(error: unknown): Map<string, string[]> {
  const issues = new Map<string, string[]>();
  for (const issue of errorData(error)?.issues ?? []) {
    // start's input is { kind, input: {...} }: field names sit one level down
    const field = issue.path[0] === 'input' ? (issue.path[1] ?? '') : (issue.path[0] ?? '');
    issues.set(field, [...(issues.get(field) ?? []), issue.message]);
  }
  return issues;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
