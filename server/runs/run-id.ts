import { randomBytes } from 'node:crypto';

let lastMillis = 0;
let counter = 0;

/**
 * UUIDv7 whose 12-bit `rand_a` field is a counter within the millisecond, so
 * ids made by this process sort in creation order even when runs share a
 * millisecond: queued runs start in that order and history pages by it.
 */
export function newRunId(now = Date.now()): string {
  if (now > lastMillis) {
    lastMillis = now;
    counter = randomBytes(2).readUInt16BE(0) & 0x3ff; // leave room to count up
  } else if (++counter > 0xfff) {
    lastMillis++; // more than ~3000 ids in one millisecond: borrow the next one
    counter = 0;
  }
  const bytes = randomBytes(16);
  bytes.writeUIntBE(lastMillis, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
