import superjson from 'superjson';
import { describe, expect, it, vi } from 'vitest';
import { eventDatePaths } from '../../server/api/analysis-router.ts';
import { markShared, sharedAwareEncoder, sharedAwareTransformer } from '../../server/api/shared-serialization.ts';
import type { ProgressEvent } from '../../server/runs/interfaces.ts';

function event(seq: number) {
  return {
    type: 'progress',
    runId: 'r1',
    seq,
    at: new Date(1_700_000_000_000 + seq),
    run: { id: 'r1', note: 'a "quoted" }} text' },
  };
}

/** What tRPC's WebSocket adapter sends: its envelope around the transformer's output. */
function message(subscriptionId: string | number, data: unknown) {
  return {
    id: subscriptionId,
    jsonrpc: '2.0',
    result: { type: 'data', id: '7', data: sharedAwareTransformer.output.serialize(data) },
  };
}

describe('shared serialization of events sent to many subscribers', () => {
  it('sends byte-for-byte what plain superjson + JSON would, shared or not', () => {
    const shared = markShared(event(7));
    for (const id of [1, 'sub"}}', 42]) {
      const expected = JSON.stringify({
        id,
        jsonrpc: '2.0',
        result: { type: 'data', id: '7', data: superjson.serialize(shared) },
      });
      expect(sharedAwareEncoder.encode(message(id, shared))).toBe(expected);
      expect(sharedAwareEncoder.encode(message(id, event(7)))).toBe(expected);
    }
    const decoded = sharedAwareEncoder.decode(sharedAwareEncoder.encode(message(1, shared))) as {
      result: { data: Parameters<typeof superjson.deserialize>[0] };
    };
    expect(superjson.deserialize(decoded.result.data)).toEqual(shared);
  });

  it('serializes a shared value once however many subscribers it goes to; others every time', () => {
    const spy = vi.spyOn(superjson, 'serialize');
    const shared = markShared(event(1));
    for (let subscriber = 0; subscriber < 50; subscriber++) sharedAwareEncoder.encode(message(subscriber, shared));
    expect(spy).toHaveBeenCalledTimes(1);
    const plain = event(2);
    for (let subscriber = 0; subscriber < 3; subscriber++) sharedAwareEncoder.encode(message(subscriber, plain));
    expect(spy).toHaveBeenCalledTimes(4);
    spy.mockRestore();
  });

  it('leaves messages without data (started, stopped, errors) alone', () => {
    const started = { id: 3, jsonrpc: '2.0', result: { type: 'started' } };
    expect(sharedAwareEncoder.encode(started)).toBe(JSON.stringify(started));
    expect(() => sharedAwareEncoder.decode(new Uint8Array([1]))).toThrow(/text frame/);
  });

  describe('events of a known shape (Dates only where eventDatePaths say)', () => {
    const at = new Date(1_700_000_000_123);
    function runEvent(overrides: Partial<ProgressEvent['run']> = {}): ProgressEvent {
      return {
        type: 'progress',
        runId: 'r1',
        seq: 4,
        at,
        run: {
          id: 'r1',
          kind: 'demo',
          status: 'running',
          progress: 42.5,
          stage: { key: 'scan', label: 'Scan "all" }}', index: 1, count: 3 },
          step: { current: 7, total: 10 },
          message: 'line\nbreak, unicode ✓, NUL-free',
          etaMs: 1234,
          input: { layers: [1, { deep: [null, true, 'x'] }], empty: {} },
          result: null,
          error: null,
          cancelRequested: false,
          cancelReason: null,
          createdAt: new Date(1_700_000_000_000),
          startedAt: new Date(1_700_000_000_050),
          finishedAt: null,
          updatedAt: at,
          heartbeatAt: null,
          seq: 4,
          attempt: 1,
          ...overrides,
        },
      };
    }
    const cases: Array<[string, ProgressEvent]> = [
      ['running, some dates null', runEvent()],
      ['queued, no start yet', runEvent({ status: 'queued', startedAt: null, stage: null, step: null, etaMs: null })],
      [
        'completed with a result',
        runEvent({
          status: 'completed',
          progress: 100,
          result: { layers: [{ dead: 3, top: [[1, 0.5]] }] },
          finishedAt: at,
          heartbeatAt: at,
        }),
      ],
      ['every date a distinct object', runEvent({ updatedAt: new Date(at), heartbeatAt: new Date(at.getTime() + 1) })],
      ['failed', runEvent({ status: 'failed', error: { code: 'STALLED', message: 'no heartbeat' }, finishedAt: at })],
    ];

    it.each(cases)('%s: the same message as superjson, without calling superjson', (_name, value) => {
      const expected = JSON.stringify({
        id: 9,
        jsonrpc: '2.0',
        result: { type: 'data', id: '7', data: superjson.serialize(value) },
      });
      const spy = vi.spyOn(superjson, 'serialize');
      const encoded = sharedAwareEncoder.encode(message(9, markShared(value, eventDatePaths)));
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
      expect(encoded).toBe(expected);
      const decoded = sharedAwareEncoder.decode(encoded) as {
        result: { data: Parameters<typeof superjson.deserialize>[0] };
      };
      expect(superjson.deserialize(decoded.result.data)).toEqual(value);
    });
  });
});
