import { randomInt } from 'node:crypto';
import { canonicalJson } from './canonical-json';

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

function randomValue(depth: number): unknown {
  const kind = randomInt(depth > 2 ? 3 : 5);
  if (kind === 0) return pick(['x', '', 'é😀', '"\\', 1, -0.5, true, null]);
  if (kind === 1) return undefined;
  if (kind === 2) return pick([0, 12345, false]);
  if (kind === 3) return Array.from({ length: randomInt(4) }, () => randomValue(depth + 1));
  const object: Record<string, unknown> = {};
  // Up to 40 keys: small objects are sorted in place, larger ones by Array.prototype.sort.
  // Own properties, as JSON.parse makes them: a plain assignment to '__proto__' would set the prototype instead.
  for (let i = randomInt(41); i > 0; i--) {
    const key = randomInt(3) === 0 ? `k${randomInt(100)}` : pick(KEYS);
    Object.defineProperty(object, key, { value: randomValue(depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return object;
}

describe('canonicalJson', () => {
  it('sorts keys at every level by UTF-16 code units and leaves undefined members out', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, undefined], c: 'x' }, '10': 0, '9': null, é: 2, Z: undefined })).toBe(
      '{"10":0,"9":null,"a":{"c":"x","d":[3,null]},"b":1,"é":2}',
    );
  });

  it('gives byte for byte what Object.keys().sort() gave, for 20,000 random values', () => {
    for (let i = 0; i < 20_000; i++) {
      const value = randomValue(0);
      expect(canonicalJson(value)).toBe(reference(value));
    }
  });
});
