import superjson from 'superjson';
import { describe, expect, it, vi } from 'vitest';
import { markShared, sharedAwareEncoder, sharedAwareTransformer } from '../../server/api/shared-serialization.ts';

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
});
