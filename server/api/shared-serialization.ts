import superjson from 'superjson';

/**
 * One progress event goes to every subscriber of its run, and tRPC serializes
 * (superjson) and encodes (JSON) each message once per subscriber. For values
 * marked shared, both happen once per value: the transformer caches the
 * superjson result, and the WebSocket encoder caches its JSON text and splices
 * it into each subscriber's small envelope. Marked values must not change after
 * they are first sent.
 */
const sharedValues = new WeakSet<object>();
const serializedBy = new WeakMap<object, ReturnType<typeof superjson.serialize>>();
/** superjson results of shared values, with their JSON text once the encoder has made it */
const jsonBy = new WeakMap<object, string | null>();

export function markShared<T extends object>(value: T): T {
  sharedValues.add(value);
  return value;
}

function serialize(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !sharedValues.has(value)) return superjson.serialize(value);
  let serialized = serializedBy.get(value);
  if (!serialized) {
    serialized = superjson.serialize(value);
    serializedBy.set(value, serialized);
    jsonBy.set(serialized, null);
  }
  return serialized;
}

/** superjson both ways, with the output side caching shared values. */
export const sharedAwareTransformer = {
  input: superjson,
  output: { serialize, deserialize: (value: unknown) => superjson.deserialize(value as never) },
};

function sharedJson(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || !jsonBy.has(data)) return undefined;
  let json = jsonBy.get(data);
  if (json == null) {
    json = JSON.stringify(data);
    jsonBy.set(data, json);
  }
  return json;
}

/** The tRPC WebSocket encoder: plain JSON, with shared payloads stringified once. */
export const sharedAwareEncoder = {
  encode(message: unknown): string {
    const result = (message as { result?: { data?: unknown } } | null)?.result;
    const json = result && 'data' in result ? sharedJson(result.data) : undefined;
    if (json === undefined) return JSON.stringify(message);
    const { result: _result, ...envelope } = message as { result: Record<string, unknown> };
    const { data: _data, ...resultFields } = result as Record<string, unknown>;
    // `result` is the last key and `data` the last key inside it, so the payload goes before the closing braces
    const head = JSON.stringify({ ...envelope, result: resultFields });
    return `${head.slice(0, -2)}${head.endsWith('{}}') ? '' : ','}"data":${json}}}`;
  },
  decode(data: string | ArrayBuffer | Uint8Array): unknown {
    if (typeof data !== 'string') throw new Error('expected a text frame');
    return JSON.parse(data);
  },
};
