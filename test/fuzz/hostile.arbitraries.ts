/**
 * Hostile input: strings, JSON values and raw bytes that break naive parsers, validators, SQL
 * and HTML. Everything here is what a caller can actually put on the wire.
 */
import fc from 'fast-check';
import { MAX_NESTING_DEPTH } from '../../contracts/src';

export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** 7–8 digits standing alone (not a UUID group, not part of a code): a national ID. Never in an error. */
export const NATIONAL_ID_LIKE = /(?<![0-9A-Za-z-])[0-9]{7,8}(?![0-9A-Za-z-])/g;

const SQL_FRAGMENTS = [
  "' OR '1'='1",
  "'; DROP TABLE transactions; --",
  '1; SELECT pg_sleep(5)--',
  "' UNION SELECT null, version() --",
  '$1',
  "\\'",
  '%',
  '_',
  "E'\\x00'",
];
const SCRIPT_FRAGMENTS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'javascript:alert(1)', '{{constructor.constructor("x")()}}', '${7*7}'];
const BOUNDARY_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\t\r\n',
  '0',
  '-1',
  '1e309',
  'NaN',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '９９９９',
  '\u202eRTL',
  '\ufeffBOM',
  '😀',
  'a\u0301',
  '../../../etc/passwd',
  '%00',
  '%',
  '\\',
  '12345678',
  '+254712345678',
  'NRB-GPO',
  'id-card-replacement',
  '00000000-0000-0000-0000-000000000000',
];

/** A string that is not valid UTF-16 (a lone surrogate): JSON allows it escaped, UTF-8 cannot carry it. */
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => `x${String.fromCharCode(code)}y`);

/** Huge strings: well past every maxLength, some close to or past the body limit. */
const hugeString = fc
  .constantFrom(1_000, 10_000, 100_000, 600_000)
  .chain((length) => fc.constantFrom('A', '9', 'é', '😀', '\u0000').map((unit) => unit.repeat(length)));

export function hostileString(options: { huge?: boolean } = {}): fc.Arbitrary<string> {
  const parts: fc.WeightedArbitrary<string>[] = [
    { weight: 3, arbitrary: fc.constantFrom(...BOUNDARY_STRINGS) },
    { weight: 2, arbitrary: fc.constantFrom(...SQL_FRAGMENTS, ...SCRIPT_FRAGMENTS) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
    { weight: 1, arbitrary: loneSurrogate },
  ];
  if (options.huge !== false) parts.push({ weight: 1, arbitrary: hugeString });
  return fc.oneof(...parts);
}

const hostileNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, Number.MIN_SAFE_INTEGER - 2, 2 ** 31, 5e-324),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

export const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString({ huge: false }) },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
);

const hostileKey = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
  { weight: 2, arbitrary: fc.constantFrom('service', 'payload', 'citizen', 'idNumber', 'centre', 'rating', 'mode', '$where', 'a.b', '', ' ') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

/** An object whose own keys may be `__proto__` & co (defined, not assigned, so they survive). */
export function objectFromEntries(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

/** Any JSON value, small, with hostile keys and scalars. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileScalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 4 }).map(objectFromEntries),
  ),
})).value;

/** JSON text nested `depth` levels deep, past MAX_NESTING_DEPTH: built as text, no recursion anywhere. */
export const deepNestingText: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: MAX_NESTING_DEPTH + 1, max: 20_000 }), fc.constantFrom('object', 'array', 'payload'))
  .map(([depth, shape]) => {
    if (shape === 'array') return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
    const inner = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    return shape === 'payload' ? `{"service":"id-card-replacement","channel":"counter","citizen":{"idNumber":"12345678"},"payload":${inner}}` : inner;
  });

/** Bytes that are not UTF-8: stray continuation bytes, overlong forms, encoded surrogates, truncation. */
const BAD_UTF8 = [[0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80]];

/** A JSON-looking body with invalid UTF-8 inside a string value (or in a key). */
export const invalidUtf8Body: fc.Arbitrary<Buffer> = fc
  .tuple(fc.constantFrom(...BAD_UTF8), fc.constantFrom('value', 'key', 'bare'))
  .map(([bad, where]) => {
    const bytes = Buffer.from(bad);
    if (where === 'key') return Buffer.concat([Buffer.from('{"'), bytes, Buffer.from('":1}')]);
    if (where === 'bare') return bytes;
    return Buffer.concat([Buffer.from('{"service":"'), bytes, Buffer.from('","channel":"counter","citizen":{"idNumber":"12345678"},"payload":{}}')]);
  });

/** Text that is not JSON at all, or almost JSON. */
export const notJsonText = fc.constantFrom('{', '{"a":}', "{'a':1}", '[1,]', 'NaN', '{"a":1}{"b":2}', '\u0000', '<xml/>', 'a=1&b=2', '{"a":1', '"unterminated');

/** Path segments: the percent-encoded bytes of the string, or raw escapes that do not decode. */
export function percentEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export const rawPathSegment = fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '..', '.', '%2e%2e', '%2F', ';', '*', '%C0%AF', '%FF', '%u0041', '%25');

/** Header values as HTTP can carry them (latin-1, no CR/LF/NUL): anything else the client refuses to send. */
export function headerSafe(value: string): string {
  return value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
}

export const hostileIdempotencyKey: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('', ' ', 'a'.repeat(256), 'a'.repeat(255), 'é', 'with space', 'tab\there', ',', '../x', "' OR 1=1 --"),
  fc.string({ unit: 'binary', maxLength: 20 }).map(headerSafe),
);
