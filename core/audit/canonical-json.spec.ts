import { randomInt } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { canonicalJson, NotJsonError } from './canonical-json';

/** canonicalJson as it was written before its keys were sorted in place: every hash depends on its bytes. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => reference(item === undefined ? null : item)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .sort()
    .filter((key) => record[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${reference(record[key])}`);
  return `{${members.join(',')}}`;
}

const KEYS = ['a', 'b', 'aa', 'A', 'Z', '_x', '10', '9', '0', '__proto__', 'é', 'e\u0301', '😀', '\uffff', '\ud800', 'key "q"', '', 'agency', 'agencyRef', 'service', 'channel', 'centre', 'client'];
const pick = <T>(list: readonly T[]): T => list[randomInt(list.length)];

/** Up to `maxKeys` keys per object: small values, most of them written by JSON.stringify; large ones by the loops. */
function randomValue(depth: number, maxKeys = 40): unknown {
  const kind = randomInt(depth > 2 ? 3 : 5);
  if (kind === 0) return pick(['x', '', 'é😀', '"\\', 1, -0.5, true, null]);
  if (kind === 1) return undefined;
  if (kind === 2) return pick([0, 12345, false]);
  if (kind === 3) return Array.from({ length: randomInt(4) }, () => randomValue(depth + 1, maxKeys));
  const object: Record<string, unknown> = {};
  // Up to 40 keys: small objects are sorted in place, larger ones by Array.prototype.sort.
  // Own properties, as JSON.parse makes them: a plain assignment to '__proto__' would set the prototype instead.
  for (let i = randomInt(maxKeys + 1); i > 0; i--) {
    const key = randomInt(3) === 0 ? `k${randomInt(100)}` : pick(KEYS);
    Object.defineProperty(object, key, { value: randomValue(depth + 1, maxKeys), enumerable: true, writable: true, configurable: true });
  }
  return object;
}

describe('canonicalJson', () => {
  it('sorts keys at every level by UTF-16 code units and leaves undefined members out', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, undefined], c: 'x' }, '10': 0, '9': null, é: 2, Z: undefined })).toBe(
      '{"10":0,"9":null,"a":{"c":"x","d":[3,null]},"b":1,"é":2}',
    );
  });

  class Slot {
    constructor(readonly start: string) {}
  }
  const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays

  it.each<[string, unknown, string]>([
    ['a Date', { data: { when: new Date(0) } }, 'a Date at $.data.when'],
    ['a Map', [{ m: new Map() }], 'a Map at $[0].m'],
    ['a Set', { s: new Set([1]) }, 'a Set at $.s'],
    ['a boxed string', { 'key "q"': new String('x') }, 'a String at $["key \\"q\\""]'],
    ['a boxed number', { n: [new Number(1)] }, 'a Number at $.n[0]'],
    ['a boxed boolean', { b: new Boolean(false) }, 'a Boolean at $.b'],
    ['a class instance', { slot: new Slot('10:00') }, 'a Slot at $.slot'],
    ['a Buffer', { bytes: Buffer.from('x') }, 'a Buffer at $.bytes'],
    ['a function', { f: () => 1 }, 'a function at $.f'],
    ['a symbol', { s: Symbol('s') }, 'a symbol at $.s'],
    ['a bigint', { big: 1n }, 'a bigint at $.big'],
    ['a hole', { list: sparse }, 'a hole of a sparse array at $.list[1]'],
    ['NaN', { n: NaN }, 'NaN at $.n'],
    ['Infinity', [[Infinity]], 'Infinity at $[0][0]'],
    ['-Infinity', { a: { b: -Infinity } }, '-Infinity at $.a.b'],
    ['a Date on its own', new Date(0), 'a Date has no JSON form'],
  ])('refuses %s, naming where it is', (_, value, where) => {
    let thrown: unknown;
    try {
      canonicalJson(value);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(NotJsonError);
    expect((thrown as Error).message).toContain(where);
  });

  it('takes objects with no prototype, and plain objects and arrays made in another realm', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: 1, a: [true] });
    expect(canonicalJson(bare)).toBe('{"a":[true],"b":1}');
    expect(canonicalJson(runInNewContext('({ b: [1, { d: null }], a: "x" })'))).toBe('{"a":"x","b":[1,{"d":null}]}');
    expect(() => canonicalJson(runInNewContext('({ when: new Date(0) })'))).toThrow('a Date at $.when');
  });

  it('writes undefined as JSON.stringify does: a member left out, an element or the whole value null', () => {
    const value = { a: undefined, b: [undefined, 1], c: { d: undefined } };
    expect(canonicalJson(value)).toBe('{"b":[null,1],"c":{}}');
    expect(canonicalJson(value)).toBe(JSON.stringify(value));
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('gives byte for byte what Object.keys().sort() gave, for 20,000 random values', () => {
    for (let i = 0; i < 20_000; i++) {
      const value = randomValue(0);
      expect(canonicalJson(value)).toBe(reference(value));
    }
  });

  it('gives the same for 20,000 small random values and for each as JSON.parse gives it back (what JSON.stringify writes)', () => {
    for (let i = 0; i < 20_000; i++) {
      const value = randomValue(0, 6);
      expect(canonicalJson(value)).toBe(reference(value));
      const parsed: unknown = JSON.parse(reference(value));
      expect(canonicalJson(parsed)).toBe(reference(parsed));
    }
  });

  it('gives the same for JSON data that JSON.stringify would write otherwise, which takes the loops', () => {
    const bare = Object.assign(Object.create(null) as object, { b: 1, a: 2 });
    const own = (key: string, value: unknown): object => Object.defineProperty({ z: 1 }, key, { value, enumerable: true });
    let deep: unknown = { b: 1, a: 0 };
    for (let i = 0; i < 40; i++) deep = { n: [deep], m: i };
    const wide = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${39 - i}`, i]));
    const values: unknown[] = [
      own('toJSON', 'a string'),
      own('__proto__', { b: 2, a: 1 }),
      [{ b: 1 }, own('__proto__', 1)],
      bare,
      { inner: bare, b: { d: 1, c: 2 } },
      runInNewContext('({ b: [1, { d: null }], a: { z: 1, y: 2 } })'),
      { toString: 1 },
      [{ constructor: 'x', b: 1 }, { a: 1 }],
      [{ hasOwnProperty: 1 }, {}],
      deep,
      wide,
      { nested: wide },
      { z: -0, a: [undefined, 1], u: undefined },
      // JSON.stringify would call a toJSON that is an array's own, or not enumerable; the loops do not.
      Object.assign([1, { b: 1, a: 2 }], { toJSON: () => 'called' }),
      { list: Object.assign([2], { toJSON: () => 'called' }) },
      Object.defineProperty({ b: 1, a: 2 }, 'toJSON', { value: () => 'called' }),
    ];
    for (const value of values) expect(canonicalJson(value)).toBe(reference(value));
  });

  it('refuses, naming where it is, what it finds below values JSON.stringify could write', () => {
    expect(() => canonicalJson({ a: { b: 1 }, z: [{ when: new Date(0) }] })).toThrow('a Date at $.z[0].when');
    expect(() => canonicalJson([{ b: 1 }, { n: NaN }])).toThrow('NaN at $[1].n');
    expect(() => canonicalJson({ a: 'x', f: () => 1 })).toThrow('a function at $.f');
  });

  it('has JSON.stringify write a value whose keys are all in order in one call, without a key list', () => {
    // An audit event's data as the submit writes it (issue 13), with a nested object and a list.
    const data = { agency: 'nrb', centre: null, channel: 'counter', client: 'c-1', service: 'id', z: [{ a: 1, b: { c: 'x', d: 2 } }, 3] };
    const expected = reference(data);
    const stringify = jest.spyOn(JSON, 'stringify');
    try {
      expect(canonicalJson(data)).toBe(expected);
      expect(stringify.mock.calls).toEqual([[data]]);
    } finally {
      stringify.mockRestore();
    }
  });

  it('gives the same for 20,000 random values whose keys were written in order (integer-like keys among them)', () => {
    const ordered = (depth: number): unknown => {
      const kind = randomInt(depth > 2 ? 3 : 5);
      if (kind < 3) return randomValue(depth + 3, 0);
      if (kind === 3) return Array.from({ length: randomInt(4) }, () => ordered(depth + 1));
      const keys = [...new Set(Array.from({ length: randomInt(8) }, () => (randomInt(3) === 0 ? `k${randomInt(100)}` : pick(KEYS))))].sort();
      const object: Record<string, unknown> = {};
      for (const key of keys) Object.defineProperty(object, key, { value: ordered(depth + 1), enumerable: true, writable: true, configurable: true });
      return object;
    };
    for (let i = 0; i < 20_000; i++) {
      const value = ordered(0);
      expect(canonicalJson(value)).toBe(reference(value));
    }
  });

  it('has JSON.stringify write a parsed request body in one call, given the sorted keys', () => {
    const body: unknown = JSON.parse('{"service":"s","citizen":{"phone":"+254","idNumber":"1"},"payload":[{"b":1,"a":"x"}]}');
    const stringify = jest.spyOn(JSON, 'stringify');
    try {
      expect(canonicalJson(body)).toBe('{"citizen":{"idNumber":"1","phone":"+254"},"payload":[{"a":"x","b":1}],"service":"s"}');
      expect(stringify).toHaveBeenCalledTimes(1);
      expect(stringify).toHaveBeenCalledWith(body, ['a', 'b', 'citizen', 'idNumber', 'payload', 'phone', 'service']);
    } finally {
      stringify.mockRestore();
    }
  });
});
