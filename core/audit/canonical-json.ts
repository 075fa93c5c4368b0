/**
 * JSON with object keys sorted at every level, so that the same event always hashes the same,
 * whatever order its fields were written in or came back from jsonb.
 *
 * Plain JSON data (what JSON.parse makes, with no key `__proto__` or `toJSON`, up to 32 distinct keys
 * and 32 levels) is written by JSON.stringify itself, given every key of the value sorted as its list
 * of properties: it writes each object's keys in the list's order and leaves out those the object
 * lacks, which is this order. One native call and one string instead of a string per key and per
 * value: a request body's fingerprint allocates 2.0 KB instead of 3.5 (issue 13). Everything else
 * goes to `write`, loops over one growing string (no intermediate arrays; verify runs it for every
 * event), which also refuses what JSON cannot hold.
 *
 * The value's objects and arrays must hold their members as plain enumerable data properties, as
 * JSON.parse and literals make them. The fast path does not check it (a check per object cost a
 * sixth more allocation), and JSON.stringify with a key list reads a listed key that one object
 * has but does not enumerate (the loops leave it out), and reads a getter twice (once to find its
 * keys, once to write it). A `toJSON` anywhere, own or inherited, enumerable or not, on an object or
 * an array, sends the value to the loops, which do not call it.
 *
 * Only values JSON holds as they are: strings, finite numbers, booleans, null, arrays without
 * holes and plain objects (made by a literal or JSON.parse, or with no prototype). Anything else
 * throws a `NotJsonError` naming where it is: JSON.stringify would have written a Date as its
 * toJSON text but this loop as `{}`, NaN as null, and left a function out, so a hash or a
 * fingerprint would have stood for a value it does not describe. `undefined` is JSON's absence, as
 * JSON.stringify writes it: an object's member that is undefined is left out (an optional field not
 * set, `calledAt: t.calledAt?.toISOString()`), an array's element and the value itself are null.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    // Every object's keys already in canonical order (an audit event's data, written so): JSON.stringify
    // alone writes it, without the key list, which cost half of what an event's data allocated (issue 13).
    if (collectKeys(value, IN_ORDER, 0)) return JSON.stringify(value);
    const keys: string[] = [];
    if (collectKeys(value, keys, 0)) return JSON.stringify(value, sortedKeys(keys));
  }
  return write(value);
}

/** Up to this many distinct keys in all, and this deep, JSON.stringify writes the value (collectKeys). */
const MANY_KEYS = 32;
const DEEP = 32;

/**
 * collectKeys's list when no list is wanted: the keys must then come in order instead. JSON.stringify
 * writes an object's own enumerable keys in the order for…in meets them (integer-like keys first,
 * ascending by number: `"10"` after `"9"`, which the comparison refuses): if that is ascending UTF-16
 * order at every level, it is the canonical order.
 */
const IN_ORDER: readonly string[] = Object.freeze([]);

/**
 * Pushes onto `keys` each key of `value`'s objects once; false when JSON.stringify would not write
 * the value as `write` does (or `write` refuses it), or it holds more keys than the list should.
 * Given IN_ORDER, nothing is pushed, and false also when an object's keys are out of order or not
 * all its own.
 */
function collectKeys(value: object, keys: readonly string[], depth: number): boolean {
  if (depth > DEEP) return false;
  // JSON.stringify would call it; `write` does not. One property lookup, no allocation.
  if ((value as { toJSON?: unknown }).toJSON !== undefined) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      // A hole is refused by `write` and written as null by JSON.stringify.
      if (!(i in value)) return false;
      if (!plainItem(value[i], keys, depth)) return false;
    }
    return true;
  }
  // Another realm's plain objects and those with no prototype take the loops: JSON.stringify would
  // look a key the object lacks up on a prototype that is not this realm's Object.prototype.
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  const record = value as Record<string, unknown>;
  let previous: string | undefined;
  for (const key in record) {
    // Looked up on an object that lacks it, '__proto__' finds the prototype.
    if (key === '__proto__') return false;
    if (keys === IN_ORDER) {
      // JSON.stringify alone writes own keys only.
      if ((previous !== undefined && !(previous < key)) || !Object.hasOwn(record, key)) return false;
      previous = key;
    } else if (!keys.includes(key)) {
      if (keys.length === MANY_KEYS) return false;
      (keys as string[]).push(key);
    }
    if (!plainItem(record[key], keys, depth)) return false;
  }
  return true;
}

function plainItem(item: unknown, keys: readonly string[], depth: number): boolean {
  switch (typeof item) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return true;
    case 'number':
      // NaN and ±Infinity: JSON.stringify writes null, `write` refuses them.
      return Number.isFinite(item);
    case 'object':
      return item === null || collectKeys(item, keys, depth + 1);
    default:
      // A function, symbol or bigint: `write` refuses it, naming where it is.
      return false;
  }
}

/** A value canonicalJson refuses; `path` says where it is (`$.data.when`, `$[2]`). */
export class NotJsonError extends Error {
  /** The keys and indexes from the value given down to the refused one, outermost first. */
  readonly steps: (string | number)[] = [];

  constructor(readonly what: string) {
    super(`canonicalJson: ${what} has no JSON form`);
    this.name = 'NotJsonError';
  }

  get path(): string {
    let path = '$';
    for (const step of this.steps) path += typeof step === 'number' ? `[${step}]` : IDENTIFIER.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`;
    return path;
  }

  /** Called on the way out of each level: the message names the path once it is whole. */
  within(step: string | number): this {
    this.steps.unshift(step);
    this.message = `canonicalJson: ${this.what} at ${this.path} has no JSON form`;
    return this;
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function write(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (Number.isFinite(value)) return JSON.stringify(value);
      throw new NotJsonError(String(value));
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'null';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return array(value);
      if (isPlain(value)) return object(value as Record<string, unknown>);
      throw new NotJsonError(kindOf(value));
    default:
      // function, symbol, bigint
      throw new NotJsonError(`a ${typeof value}`);
  }
}

function array(value: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < value.length; i++) {
    if (i > 0) out += ',';
    if (!(i in value)) throw new NotJsonError('a hole of a sparse array').within(i);
    try {
      out += write(value[i]);
    } catch (error) {
      throw error instanceof NotJsonError ? error.within(i) : error;
    }
  }
  return `${out}]`;
}

function object(record: Record<string, unknown>): string {
  const keys = sortedKeys(Object.keys(record));
  let out = '{';
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    if (out.length > 1) out += ',';
    try {
      out += `${JSON.stringify(key)}:${write(item)}`;
    } catch (error) {
      throw error instanceof NotJsonError ? error.within(key) : error;
    }
  }
  return `${out}}`;
}

/**
 * Made by a literal or JSON.parse (Object.prototype, of whichever realm made it: a worker's, or
 * the test runner's), or with no prototype (Object.create(null), URLSearchParams read into one).
 * A Date, a Map, a boxed string or a class's instance has a prototype that has one of its own.
 */
function isPlain(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === Object.prototype || prototype === null || Object.getPrototypeOf(prototype) === null;
}

function kindOf(value: object): string {
  const name = (value.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object that is not plain';
}

/** Up to this many keys are sorted in place here; more go to Array.prototype.sort. */
const SMALL = 16;

/**
 * The keys in `Array.prototype.sort`'s default order (UTF-16 code units, which `<` on strings
 * compares too; keys are unique, so stability does not matter). A small object's keys are sorted in
 * place by insertion, usually already in order: V8's sort copies every array it sorts into a work
 * array of its own, which was a measurable share of what a submit allocates (issue 13).
 */
function sortedKeys(keys: string[]): string[] {
  if (keys.length > SMALL) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    if (keys[j] < key) continue;
    while (j >= 0 && keys[j] > key) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}
