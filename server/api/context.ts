import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { singleUserId } from '../config.ts';
import type { RunService } from '../runs/run-service.ts';

export interface ApiDeps {
  runs: RunService;
  /** token → user; null: single-user mode */
  tokens: ReadonlyMap<string, string> | null;
}

export interface Context {
  runs: RunService;
  /** the authenticated user, or null when the token was missing or wrong */
  userId: string | null;
  /** WebSocket only: closes the connection once a request was refused */
  rejectConnection?: () => void;
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function userForToken(tokens: ApiDeps['tokens'], token: string | null): string | null {
  if (tokens === null) return singleUserId;
  if (!token) return null;
  let user: string | null = null;
  // compare against every token so timing does not reveal which prefix matched
  for (const [candidate, owner] of tokens) if (constantTimeEqual(candidate, token)) user = owner;
  return user;
}

export function bearerToken(req: IncomingMessage | undefined): string | null {
  const header = req?.headers.authorization;
  const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
  return match?.[1]?.trim() ?? null;
}
