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
