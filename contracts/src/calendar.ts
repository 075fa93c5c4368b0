/**
 * The one strict reading of dates and date-times sent to the API. `Date.parse` and PostgreSQL roll
 * impossible days over (2027-02-29 becomes 1 March, T24:00 the next day); these refuse them, so a
 * request naming a day that does not exist is a 422, never a booking on another day. Used by the
 * contracts' Ajv formats (schema-compiler.ts) and by the domain's local dates (core/centres).
 */

/** `YYYY-MM-DD` naming a real calendar day (not 2026-02-30, not 2027-02-29). */
export function isRealDate(date: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  return match !== null && isRealDay(Number(match[1]), Number(match[2]), Number(match[3]));
}

/**
 * `2026-11-24T09:30+03:00`: a real day, a time of day from 00:00 to 23:59 (seconds and up to three
 * decimals optional), and `Z` or an offset up to ±23:59. The instant it names, or undefined.
 */
export function parseOffsetDateTime(text: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?(Z|[+-](\d{2}):(\d{2}))$/.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second = '00', , , offsetHours = '00', offsetMinutes = '00'] = match;
  if (!isRealDay(Number(year), Number(month), Number(day))) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59 || Number(offsetHours) > 23 || Number(offsetMinutes) > 59) return undefined;
  const instant = new Date(text);
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

function isRealDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}
