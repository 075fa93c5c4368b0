import { RandomBatch } from './random-batch';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id of ours (any UUID version, either case): check it before it reaches a `uuid` column. */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/** The random bits of 512 ids per draw from the CSPRNG. */
const random = new RandomBatch(10 * 512);
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
  const r = random.take(10);
  const high = Math.floor(ms / 2 ** 16); // the first 32 bits of the 48
  const low = ms % 2 ** 16;
  return (
    `${(high >>> 0).toString(16).padStart(8, '0')}-${low.toString(16).padStart(4, '0')}-` +
    `${HEX[0x70 | (r[0] & 0x0f)]}${HEX[r[1]]}-${HEX[0x80 | (r[2] & 0x3f)]}${HEX[r[3]]}-` +
    `${HEX[r[4]]}${HEX[r[5]]}${HEX[r[6]]}${HEX[r[7]]}${HEX[r[8]]}${HEX[r[9]]}`
  );
}
