import { describe, expect, it } from 'vitest';
import type { ProgressEventType } from '../../shared/events.ts';
import { EventQueue } from '../../server/runs/event-queue.ts';
import type { ProgressEvent, RunSnapshot } from '../../server/runs/interfaces.ts';

function event(seq: number, type: ProgressEventType = 'progress'): ProgressEvent {
  return { type, runId: 'r', seq, at: new Date(0), run: { seq } as RunSnapshot };
}

async function drain(queue: EventQueue, count: number) {
  const out: ProgressEvent[] = [];
  for (let i = 0; i < count; i++) out.push((await queue.next())!);
  return out;
}

describe('EventQueue', () => {
  it('hands events to a waiting reader in order', async () => {
    const queue = new EventQueue();
    const pending = queue.next();
    queue.push(event(1));
    queue.push(event(2));
    expect((await pending)?.seq).toBe(1);
    expect((await queue.next())?.seq).toBe(2);
  });

  it('coalesces progress for a reader that falls behind, never stage or terminal events', async () => {
    const queue = new EventQueue(4);
    queue.push(event(1, 'stage'));
    for (let seq = 2; seq <= 100; seq++) queue.push(event(seq, seq === 50 ? 'stage' : 'progress'));
    queue.push(event(101, 'completed'));
    const all: ProgressEvent[] = [];
    for (;;) {
      const next = await queue.next();
      all.push(next!);
      if (next?.type === 'completed') break;
    }
    const types = all.map((e) => e.type);
    expect(types.filter((t) => t === 'stage')).toHaveLength(2);
    expect(types.at(-1)).toBe('completed');
    expect(all.length).toBeLessThan(20);
    expect(queue.coalesced).toBeGreaterThan(80);
    const seqs = all.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(seqs).toContain(100); // the newest progress survives
  });

  it('returns null to the reader once closed', async () => {
    const queue = new EventQueue();
    const pending = queue.next();
    queue.close();
    expect(await pending).toBeNull();
    queue.push(event(1));
    expect(await queue.next()).toBeNull();
  });

  it('keeps everything while the reader keeps up', async () => {
    const queue = new EventQueue(4);
    for (let seq = 1; seq <= 3; seq++) queue.push(event(seq));
    expect((await drain(queue, 3)).map((e) => e.seq)).toEqual([1, 2, 3]);
  });
});
