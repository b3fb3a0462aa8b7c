import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** where `npm run build:web` writes the demo page */
// path arithmetic rather than `new URL(…)`: under a DOM test environment `URL` is the DOM's class
export const defaultWebDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../client/app/dist');

const intFromEnv = (fallback: number, min: number) => z.coerce.number().int().min(min).default(fallback);

const EnvSchema = z.object({
  DATABASE_URL: z.string().min(1).default('file:./data/analysis.db'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: intFromEnv(3000, 0).pipe(z.number().max(65535)),
  API_TOKENS: z.string().optional(),
  MAX_CONCURRENCY: intFromEnv(os.availableParallelism(), 1),
  HEARTBEAT_MS: intFromEnv(2000, 10),
  STALL_TIMEOUT_MS: intFromEnv(30000, 50),
  CANCEL_GRACE_MS: intFromEnv(5000, 0),
  SHUTDOWN_GRACE_MS: intFromEnv(10000, 0),
  PROGRESS_INTERVAL_MS: intFromEnv(100, 1),
  FLUSH_INTERVAL_MS: intFromEnv(500, 1),
  POLL_INTERVAL_MS: intFromEnv(1000, 10),
  WEB_DIR: z.string().min(1).default(defaultWebDir),
});

export interface Config {
  databaseUrl: string;
  host: string;
  port: number;
  /** token → user id; null means single-user mode (user `local`) */
  tokens: ReadonlyMap<string, string> | null;
  maxConcurrency: number;
  heartbeatMs: number;
  stallTimeoutMs: number;
  cancelGraceMs: number;
  shutdownGraceMs: number;
  /** least time between two live progress events of one run */
  progressIntervalMs: number;
  /** how often batched progress is written to the database */
  flushIntervalMs: number;
  /** how often the runner looks for queued runs it was not told about */
  pollIntervalMs: number;
  /** the built demo page served at `/` */
  webDir: string;
}

export const singleUserId = 'local';

export function parseTokens(spec: string): Map<string, string> {
  const tokens = new Map<string, string>();
  for (const entry of spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const colon = entry.indexOf(':');
    const user = entry.slice(0, colon).trim();
    const token = entry.slice(colon + 1).trim();
    if (colon <= 0 || !user || !token) throw new Error(`API_TOKENS: expected "user:token", got "${entry}"`);
    if (tokens.has(token))
      throw new Error(`API_TOKENS: a token is listed twice (users ${tokens.get(token)} and ${user})`);
    tokens.set(token, user);
  }
  if (tokens.size === 0) throw new Error('API_TOKENS is set but lists no "user:token" pair');
  return tokens;
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid environment: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const tokens = e.API_TOKENS?.trim() ? parseTokens(e.API_TOKENS) : null;
  if (!tokens && !isLoopbackHost(e.HOST)) {
    throw new Error(
      `refusing to serve ${e.HOST} without API_TOKENS: single-user mode is only allowed on a loopback HOST`,
    );
  }
  return {
    databaseUrl: e.DATABASE_URL,
    host: e.HOST,
    port: e.PORT,
    tokens,
    maxConcurrency: e.MAX_CONCURRENCY,
    heartbeatMs: e.HEARTBEAT_MS,
    stallTimeoutMs: e.STALL_TIMEOUT_MS,
    cancelGraceMs: e.CANCEL_GRACE_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    progressIntervalMs: e.PROGRESS_INTERVAL_MS,
    flushIntervalMs: e.FLUSH_INTERVAL_MS,
    pollIntervalMs: e.POLL_INTERVAL_MS,
    webDir: e.WEB_DIR,
  };
}
