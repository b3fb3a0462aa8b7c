import type { TRPCClient } from '@trpc/client';
import WebSocket from 'ws';
import { closeAnalysisClient, createAnalysisClient, type AppRouter } from '../index.ts';
import type { ConnectionOptions } from './connection-options.ts';
import { toCliError, usageError, type CliError } from './errors.ts';

export type AnalysisClient = TRPCClient<AppRouter>;

/** A client for one command, and the conversion of whatever its calls throw into CLI errors. */
export interface Session {
  client: AnalysisClient;
  url: string;
  fail(error: unknown): CliError;
  close(): void;
}

export function openSession(options: ConnectionOptions): Session {
  try {
    new URL(options.url);
  } catch {
    throw usageError(`--url is not a URL: ${options.url}`);
  }
  const client = createAnalysisClient<AppRouter>({ url: options.url, token: options.token, WebSocket });
  return {
    client,
    url: options.url,
    fail: (error) => toCliError(error, options.url),
    close: () => closeAnalysisClient(client),
  };
}
