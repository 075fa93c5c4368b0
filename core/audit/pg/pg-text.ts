import { types, type CustomTypesConfig } from 'pg';

/**
 * Columns as PostgreSQL sends them, for the audit's bulk readers (verify, export): `pg` parses each
 * value into a Date, an object or a Buffer that those readers only turned back into text, and that
 * parsing was a third of their time. With `RAW_TEXT` as a query's `types`, every column arrives as
 * the text PostgreSQL wrote; the functions below make from it exactly what the parsed value made.
 */
export const RAW_TEXT: CustomTypesConfig = { getTypeParser: (() => (text: string) => text) as CustomTypesConfig['getTypeParser'] };

const parseTimestamptz = types.getTypeParser(types.builtins.TIMESTAMPTZ) as (text: string) => Date;
const parseBytea = types.getTypeParser(types.builtins.BYTEA) as (text: string) => Buffer;

/** `2026-12-06 08:04:00.123456+00`: a timestamptz printed in UTC (ISO DateStyle), a 4-digit year, AD. */
const UTC_TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,6})?\+00$/;

/**
 * A timestamptz's text as `Date#toISOString()` writes the Date that `pg` parses from it: the same
 * characters, milliseconds truncated (pg's parser keeps floor(µs / 1000), checked for every
 * fraction). Text in another zone, another DateStyle, BC or beyond year 9999 goes through pg's
 * parser itself.
 */
export function isoFromTimestamptz(text: string): string {
  if (!UTC_TIMESTAMP.test(text)) return parseTimestamptz(text).toISOString();
  const ms = text.length === 22 ? '000' : text.length >= 26 ? text.slice(20, 23) : text.slice(20, text.length - 3).padEnd(3, '0');
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${ms}Z`;
}

/** A bytea's text as lowercase hex without the `\x` (bytea_output = hex), whatever bytea_output is. */
export function hexFromBytea(text: string): string {
  return text.startsWith('\\x') ? text.slice(2) : parseBytea(text).toString('hex');
}
