import { randomInt } from 'node:crypto';
import { types } from 'pg';
import { canonicalJson } from './canonical-json';
import { canonicalJsonText, compactJsonText } from './json-text';
import { hexFromBytea, isoFromTimestamptz } from './pg/pg-text';

/**
 * The audit's bulk readers write the data's JSON and the time straight from PostgreSQL's text:
 * each rewrite must give exactly what parsing and serializing gave (a different byte would break
 * every hash verify recomputes, or change the export's output).
 */
const reference = {
  // A number too large for a double is null, as JSON.stringify writes it (canonicalJson refuses Infinity).
  canonical: (text: string) => canonicalJson(JSON.parse(text, (_key, value: unknown) => (value === Infinity || value === -Infinity ? null : value))),
  compact: (text: string) => JSON.stringify(JSON.parse(text)),
};

/** JSON as jsonb prints it: `, ` and `: `, keys shorter first then by bytes, numbers as written. */
function jsonbText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort((a, b) => Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return `{${keys.map((key) => `${JSON.stringify(key)}: ${jsonbText((value as Record<string, unknown>)[key])}`).join(', ')}}`;
  }
  if (value instanceof NumberText) return value.text;
  return JSON.stringify(value);
}

/** A number as jsonb's numeric prints it (1.50, 100000000000000000000000), which JavaScript writes otherwise. */
class NumberText {
  constructor(readonly text: string) {}
  toJSON(): number {
    return Number(this.text);
  }
}

const pick = <T>(list: readonly T[]): T => list[randomInt(list.length)];
const CHARS = ['a', 'Z', '0', '9', ' ', '"', '\\', '/', '\n', '\t', '\b', '\f', '\r', '\u0000', '\u0001', '\u001f', '\u007f', 'é', '€', '\u2028', '😀', '_', '-', ','];
const randomString = () => Array.from({ length: randomInt(6) }, () => pick(CHARS)).join('');
const NUMBERS = ['0', '1', '-1', '1.0', '1.50', '0.1', '-0.5', '123456789012345', '1234567890123456', '12345678901234567890', '100000000000000000000000', '0.30000000000000004', '3.14159265358979323846', '-123.456e0'];

function randomValue(depth: number): unknown {
  const kind = randomInt(depth > 3 ? 4 : 6);
  if (kind === 0) return randomString();
  if (kind === 1) return new NumberText(pick(NUMBERS).replace('e0', ''));
  if (kind === 2) return pick([true, false, null, randomInt(1_000_000)]);
  if (kind === 3) return pick(['nrb', 'NRB-GPO', 'id-card-replacement', 'counter']);
  if (kind === 4) return Array.from({ length: randomInt(4) }, () => randomValue(depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = randomInt(6); i > 0; i--) object[pick(['agency', 'agencyRef', 'attempt', 'b', 'a', 'aa', 'Z', '_x', '10', '9', '__proto__', 'é', '😀', 'key "q"', randomString()])] = randomValue(depth + 1);
  return object;
}

describe('audit data JSON rewritten from jsonb text', () => {
  it('gives byte for byte canonicalJson(JSON.parse(text)) and JSON.stringify(JSON.parse(text)) for 20,000 random values', () => {
    for (let i = 0; i < 20_000; i++) {
      const value = randomValue(0);
      for (const text of [jsonbText(value), JSON.stringify(value), JSON.stringify(value, null, 2)]) {
        expect([text, canonicalJsonText(text)]).toEqual([text, reference.canonical(text)]);
        expect([text, compactJsonText(text)]).toEqual([text, reference.compact(text)]);
      }
    }
  });

  it.each([
    ['numbers JavaScript writes otherwise', '{"a": 1.0, "b": [1.50, -0, 1e400, -1e400, 12345678901234567890, 1E2, 0.0]}'],
    ['array-index keys, which JSON.parse puts first', '{"b": 1, "a": 2, "10": 3, "9": 4}'],
    ['a key met twice', '{"a": 1, "b": 2, "a": 3}'],
    ['a key met twice, out of order', '{"b": 1, "a": 2, "b": 3}'],
    ['escapes JSON.stringify does not write', '{"a\\u0041": "\\/\\u00e9\\u001F\\ud83d\\ude00\\ud800"}'],
    ['a number too large for a double where the rewrite gives up', '{"a\\u0041": [1e400, {"b": -1e400}], "a": 1, "a": 2}'],
    ['__proto__ as a key', '{"__proto__": {"x": 1}, "a": []}'],
    ['nothing but a string, a number, a literal', '"x"'],
    ['blanks of every kind', ' {\n\t"b" :\r 1 ,"a":[ ] , "c" : { } } '],
    ['deep nesting', `${'[{"a": '.repeat(1000)}1${'}]'.repeat(1000)}`],
  ])('takes %s the way the reference does', (_, text) => {
    expect(canonicalJsonText(text)).toBe(reference.canonical(text));
    expect(compactJsonText(text)).toBe(reference.compact(text));
  });

  it('writes a number too large for a double as null whether the rewrite or JSON.parse reads it, never throws (verify names such a row)', () => {
    expect(canonicalJsonText('{"b": 1e400, "a": -1e400}')).toBe('{"a":null,"b":null}');
    expect(canonicalJsonText('{"b": 1e400, "a": "\\u0041"}')).toBe('{"a":"A","b":null}');
  });

  it.each(['', '{', '{"a" 1}', '{"a": 1,}', '[1 2]', 'tru', '01', '+1', '"open', '{"a": 1} x'])('throws for invalid JSON %p as JSON.parse does', (text) => {
    expect(() => canonicalJsonText(text)).toThrow(SyntaxError);
    expect(() => compactJsonText(text)).toThrow(SyntaxError);
  });
});

describe('timestamptz and bytea text as the audit readers use them', () => {
  const parsed = (text: string) => (types.getTypeParser(types.builtins.TIMESTAMPTZ) as (t: string) => Date)(text).toISOString();

  it('writes the ISO 8601 text of the Date pg would parse, for any fraction of a second and other zones', () => {
    for (let i = 0; i < 5_000; i++) {
      const date = new Date(randomInt(-62_000_000_000, 253_402_300_799) * 1000);
      const micros = randomInt(1_000_000);
      const fraction = micros === 0 || i % 7 === 0 ? '' : `.${String(micros).padStart(6, '0').replace(/0+$/, '')}`;
      const [day, time] = date.toISOString().slice(0, 19).split('T');
      for (const zone of ['+00', '+03', '-05:30', '+05:45:12']) {
        const text = `${day} ${time}${fraction}${zone}`;
        expect([text, isoFromTimestamptz(text)]).toEqual([text, parsed(text)]);
      }
    }
    for (const text of ['0044-03-15 12:00:00+00 BC', '12345-01-01 00:00:00+00', '0099-12-31 23:59:59.999999+00', '2026-02-28 10:00:00.5+00']) {
      expect(isoFromTimestamptz(text)).toBe(parsed(text));
    }
    expect(() => isoFromTimestamptz('infinity')).toThrow(TypeError);
  });

  it('reads bytea as hex in either output format', () => {
    expect(hexFromBytea('\\x00ff10')).toBe('00ff10');
    expect(hexFromBytea('a\\000\\377')).toBe('6100ff');
  });
});
