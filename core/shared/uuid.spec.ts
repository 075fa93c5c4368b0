import { isUuid, timeOrderedUuid } from './uuid';

/** The creation time a UUIDv7 carries: its first 48 bits. */
const timeOf = (id: string): number => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('timeOrderedUuid', () => {
  it('is a version 7, RFC 9562 variant UUID carrying the given time to the millisecond', () => {
    for (const ms of [0, 1, Date.UTC(2026, 11, 6, 23, 59, 59, 999), 2 ** 48 - 1]) {
      const id = timeOrderedUuid(new Date(ms));
      expect(isUuid(id)).toBe(true);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(timeOf(id)).toBe(ms);
    }
  });

  it('sorts ids of later times after earlier ones, as text and as PostgreSQL compares uuids (bytewise)', () => {
    const start = Date.UTC(2026, 0, 1);
    const times = Array.from({ length: 500 }, (_, i) => start + i * 37 + (i % 3));
    const ids = times.map((ms) => timeOrderedUuid(new Date(ms)));
    expect([...ids].sort()).toEqual(ids);
    const bytes = ids.map((id) => Buffer.from(id.replace(/-/g, ''), 'hex'));
    for (let i = 1; i < bytes.length; i++) expect(Buffer.compare(bytes[i - 1], bytes[i])).toBe(-1);
  });

  it('makes distinct ids within one millisecond, across refills of its random batch', () => {
    const at = new Date(Date.UTC(2026, 11, 6, 2, 0));
    const ids = Array.from({ length: 5000 }, () => timeOrderedUuid(at));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map(timeOf))).toEqual(new Set([at.getTime()]));
    // Every random hex digit position takes many values: the 74 random bits are not stuck.
    const randomDigits = ids.map((id) => id.replace(/-/g, '').slice(13));
    for (let position = 0; position < 19; position++) {
      if (position === 3) continue; // the variant's nibble: 8–b only
      expect(new Set(randomDigits.map((digits) => digits[position])).size).toBe(16);
    }
  });

  it('refuses a time it cannot carry', () => {
    expect(() => timeOrderedUuid(new Date(-1))).toThrow(RangeError);
    expect(() => timeOrderedUuid(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => timeOrderedUuid(new Date(2 ** 48))).toThrow(RangeError);
  });
});
