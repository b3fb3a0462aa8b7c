const nul = '\u0000';

/**
 * What a value becomes once stored as JSON, so that what subscribers see now
 * equals what a later read returns. NUL characters are dropped from strings
 * and keys: PostgreSQL's jsonb refuses them. Throws if the value is not JSON.
 */
export function toStoredJson(value: unknown): unknown {
  const text = JSON.stringify(value ?? null, function (this: unknown, _key, inner: unknown) {
    if (typeof inner === 'string') return inner.includes(nul) ? inner.replaceAll(nul, '') : inner;
    if (
      inner &&
      typeof inner === 'object' &&
      !Array.isArray(inner) &&
      Object.keys(inner).some((k) => k.includes(nul))
    ) {
      return Object.fromEntries(Object.entries(inner).map(([k, v]) => [k.replaceAll(nul, ''), v]));
    }
    return inner;
  });
  return JSON.parse(text) as unknown;
}
