/** Opaque history cursor: the (createdAt, id) of the last run on the previous page. */
export function encodeCursor(run: { createdAt: Date; id: string }): string {
  return Buffer.from(`${run.createdAt.getTime()}:${run.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  const millis = Number(text.slice(0, colon));
  const id = text.slice(colon + 1);
  if (colon <= 0 || !Number.isSafeInteger(millis) || id.length === 0 || id.length > 100) return null;
  return { createdAt: new Date(millis), id };
}
