import superjson from 'superjson';

/**
 * One progress event goes to every subscriber of its run, and tRPC serializes
 * (superjson) and encodes (JSON) each message once per subscriber. For values
 * marked shared, both happen once per value: the transformer caches the
 * superjson result, and the WebSocket encoder caches its JSON text and splices
 * it into each subscriber's small envelope. Marked values must not change after
 * they are first sent.
 */
const sharedValues = new WeakMap<object, readonly string[] | null>();
const serializedBy = new WeakMap<object, ReturnType<typeof superjson.serialize>>();
/** superjson results of shared values, with their JSON text once the encoder has made it */
const jsonBy = new WeakMap<object, string | null>();

/**
 * Marks `value` as sent to many. With `datePaths` (dotted paths of every
 * place the value can hold a Date; everything else plain JSON), it is
 * serialized without superjson's walk over the whole value: the result is
 * what superjson would produce, with the value itself as `json` (its Dates
 * become ISO strings when the message is stringified, as superjson's do).
 */
export function markShared<T extends object>(value: T, datePaths: readonly string[] | null = null): T {
  sharedValues.set(value, datePaths);
  return value;
}

type Serialized = ReturnType<typeof superjson.serialize>;

/**
 * superjson's output for a value whose only non-JSON values are Dates at
 * `datePaths`: the Dates in the order superjson's walk meets them (key
 * order), and, as superjson records, a Date object met again at a later path
 * as a referential equality of the first.
 */
function serializeKnownShape(value: object, datePaths: readonly string[]): Serialized {
  const values: Record<string, ['Date']> = {};
  const equalities: Record<string, string[]> = {};
  const firstPathOf = new Map<Date, string>();
  let dates = 0;
  const visit = (node: object, prefix: string) => {
    for (const key of Object.keys(node)) {
      const path = prefix + key;
      const inner = (node as Record<string, unknown>)[key];
      if (inner instanceof Date && datePaths.includes(path)) {
        values[path] = ['Date'];
        dates++;
        const first = firstPathOf.get(inner);
        if (first === undefined) firstPathOf.set(inner, path);
        else (equalities[first] ??= []).push(path);
      } else if (inner !== null && typeof inner === 'object' && datePaths.some((date) => date.startsWith(`${path}.`))) {
        visit(inner, `${path}.`);
      }
    }
  };
  visit(value, '');
  if (dates === 0) return { json: value } as Serialized;
  const hasEqualities = Object.keys(equalities).length > 0;
  return {
    json: value,
    meta: { values, ...(hasEqualities && { referentialEqualities: equalities }), v: 1 },
  } as Serialized;
}

function serialize(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !sharedValues.has(value)) return superjson.serialize(value);
  let serialized = serializedBy.get(value);
  if (!serialized) {
    const datePaths = sharedValues.get(value);
    serialized = datePaths ? serializeKnownShape(value, datePaths) : superjson.serialize(value);
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
