import { randomFillSync } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id of ours (any UUID version, either case): check it before it reaches a `uuid` column. */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/** Random bytes drawn from the CSPRNG this many at a time (as node's randomUUID caches its entropy). */
const RANDOM_BATCH_BYTES = 10 * 512;
const random = Buffer.alloc(RANDOM_BATCH_BYTES);
let randomTaken = RANDOM_BATCH_BYTES;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A new record's id: a UUID version 7 (RFC 9562), its first 48 bits the creation time in Unix
 * milliseconds (from the injected clock), then 74 random bits. Ids made one after another sort one
 * after another, so a table's primary key and every index that leads with the id (audit_events by
 * entity, citizen_keys) take each new row on their last page instead of a random one: fewer pages
 * read and dirtied, and fewer full-page images in the WAL after each checkpoint, as tables grow.
 * The time it shows is the record's creation time, which its views show anyway.
 */
export function timeOrderedUuid(at: Date): string {
  const ms = at.getTime();
  if (!Number.isSafeInteger(ms) || ms < 0 || ms >= 2 ** 48) throw new RangeError(`no UUIDv7 for the time ${ms}`);
  if (randomTaken + 10 > RANDOM_BATCH_BYTES) {
    randomFillSync(random);
    randomTaken = 0;
  }
  const r = randomTaken;
  randomTaken += 10;
  const high = Math.floor(ms / 2 ** 16); // the first 32 bits of the 48
  const low = ms % 2 ** 16;
  return (
    `${(high >>> 0).toString(16).padStart(8, '0')}-${low.toString(16).padStart(4, '0')}-` +
    `${HEX[0x70 | (random[r] & 0x0f)]}${HEX[random[r + 1]]}-${HEX[0x80 | (random[r + 2] & 0x3f)]}${HEX[random[r + 3]]}-` +
    `${HEX[random[r + 4]]}${HEX[random[r + 5]]}${HEX[random[r + 6]]}${HEX[random[r + 7]]}${HEX[random[r + 8]]}${HEX[random[r + 9]]}`
  );
}
