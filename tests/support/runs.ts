import { expect } from 'vitest';
import { terminalEventTypes, type ProgressEventOf } from '../../shared/events.ts';
import { isTerminal, type RunSnapshotOf, type RunStatus } from '../../shared/run.ts';
import type { OpenDatabase } from '../../server/db/client.ts';
import type { TestServer } from './test-server.ts';
import { trackedEvents } from './tracked.ts';

/** Shared helpers for tests that drive runs through a server-side caller. */

export type Caller = ReturnType<TestServer['caller']>;
export type Snapshot = RunSnapshotOf;
export type Event = ProgressEventOf<Snapshot>;
export type RunWithStages = Awaited<ReturnType<Caller['analysis']['get']>>;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until `ok` holds; the deadline is generous and only there to turn a hang into a message. */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await sleep(15);
  }
}

export function waitStatus(
  caller: Caller,
  runId: string,
  status: RunStatus | 'terminal',
  timeoutMs?: number,
): Promise<RunWithStages> {
  return pollUntil(
    `run ${runId} to be ${status}`,
    () => caller.analysis.get({ runId }),
    (run) => (status === 'terminal' ? isTerminal(run.status) : run.status === status),
    timeoutMs,
  );
}

/** The whole timeline of a run, read back through `progress` with `lastEventId: '0'`. */
export async function timeline(caller: Caller, runId: string): Promise<Event[]> {
  const events: Event[] = [];
  for await (const { data } of trackedEvents(await caller.analysis.progress({ runId, lastEventId: '0' }))) {
    events.push(data);
  }
  return events;
}

/**
 * A finished run's timeline: gap-free seqs 1..n through `progress`, exactly
 * one terminal event, last, of the run's final status; the stored rows say
 * the same (nothing was stored after the terminal event) and the lease is released.
 */
export async function expectConsistentTimeline(
  caller: Caller,
  database: OpenDatabase,
  final: Snapshot,
): Promise<Event[]> {
  const events = await timeline(caller, final.id);
  expect(events.map((event) => event.seq)).toEqual(events.map((_event, index) => index + 1));
  expect(events[0]?.type).toBe('queued');
  const terminal = events.filter((event) => terminalEventTypes.includes(event.type));
  expect(terminal.map((event) => event.type)).toEqual([final.status]);
  const last = events.at(-1);
  expect(last?.type).toBe(final.status);
  expect(last?.seq).toBe(final.seq);
  expect(last?.run.status).toBe(final.status);
  const stored = await database.db.runEvent.findMany({ where: { runId: final.id }, orderBy: { seq: 'asc' } });
  expect(stored.map((row) => `${row.seq}:${row.type}`)).toEqual(events.map((event) => `${event.seq}:${event.type}`));
  const row = await database.db.run.findUniqueOrThrow({ where: { id: final.id } });
  expect(row.status).toBe(final.status);
  expect(row.seq).toBe(final.seq);
  expect(row.workerId).toBeNull();
  return events;
}

/** Event types without the repeated heartbeat/progress/log ones, for readable comparisons. */
export function milestones(events: readonly { type: string }[]): string[] {
  return events.map((event) => event.type).filter((type) => !['heartbeat', 'progress', 'log'].includes(type));
}

/** The error a promise rejects with (fails if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to be rejected');
}
