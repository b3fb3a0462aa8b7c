import type { Prisma } from '../../db/generated/sqlite/client.ts';
import type { TimelineEntry } from '../interfaces.ts';
import { asJson } from './prisma-json.ts';

export function timelineRows(entries: readonly TimelineEntry[]): Prisma.RunEventCreateManyInput[] {
  return entries.map(({ event, patch }) => ({
    runId: event.runId,
    seq: event.seq,
    type: event.type,
    at: event.at,
    patch: asJson(patch),
  }));
}
