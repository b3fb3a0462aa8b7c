import { usageError } from './errors.ts';
import type { ViewStreams } from './run-view.ts';

/** What a command runs with: its arguments (after the command name), the environment and where to write. */
export interface CommandContext extends ViewStreams {
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** `parseArgs` throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown options and missing values. */
export function isParseArgsError(error: unknown): error is TypeError & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/** Runs an argument parser, turning `parseArgs`' own errors into usage errors (exit 2). */
export function parseOrUsageError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw isParseArgsError(error) ? usageError(error.message) : error;
  }
}
