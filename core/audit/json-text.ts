import { canonicalJson } from './canonical-json';

/**
 * JSON as PostgreSQL prints a jsonb value (`{"k": 1, "l": [true, "x"]}`) rewritten without parsing
 * it into objects first: the audit's bulk readers (verify, export) read millions of `data` values,
 * and JSON.parse followed by canonicalJson or JSON.stringify was a third of their time.
 *
 * - `canonicalJsonText(text)` is byte for byte `canonicalJson(JSON.parse(text))`, a number too large
 *   for a double written null (JSON.parse reads it as Infinity, which canonicalJson refuses and
 *   JSON.stringify writes null; jsonb's numeric holds it, so a row edited by hand may too, and verify
 *   must name that row, not stop);
 * - `compactJsonText(text)` is byte for byte `JSON.stringify(JSON.parse(text))`.
 *
 * The rewrite copies strings as they are (jsonb escapes exactly as JSON.stringify does: \" \\ \b \f
 * \n \r \t, other control characters as lowercase \u00xx, nothing else), drops the blanks, keeps
 * integers of up to 15 digits and writes any other number as JavaScript would after parsing it. Text
 * it cannot be sure of (another escape, an object key that JavaScript would move, a key met twice)
 * is handed to JSON.parse and the reference serializer instead, so the result is the same for any
 * input; the rewrite is only the fast way to it. The input is JSON text decoded from UTF-8 (jsonb's
 * output: no raw control character or lone surrogate in a string); invalid JSON is handed to
 * JSON.parse too, which throws as before.
 */
export function canonicalJsonText(text: string): string {
  return rewrite(text, true) ?? canonicalJson(parseStoredJson(text));
}

/**
 * JSON.parse for what verify reads back to hash or check a signature over (a seal's statement from
 * the database or the seal folder, an archive's line), with a number too large for a double read as
 * null, as canonicalJsonText writes it: JSON.parse reads it as Infinity, which canonicalJson refuses,
 * and a statement or line edited to hold one must be reported (its signature or hash does not hold),
 * not stop verify.
 */
export function parseStoredJson(text: string): unknown {
  return JSON.parse(text, overflowAsNull);
}

function overflowAsNull(_key: string, value: unknown): unknown {
  return value === Infinity || value === -Infinity ? null : value;
}

export function compactJsonText(text: string): string {
  return rewrite(text, false) ?? JSON.stringify(JSON.parse(text));
}

/** JSON text that a writer puts in as it is (a nested value), not as a string: the export's `data`. */
export class JsonText {
  constructor(readonly json: string) {}
}

/** Thrown inside the rewrite when the text needs the reference path; never leaves this module. */
const GIVE_UP = Symbol('give-up');

let src = '';
let at = 0;
let sorted = false;

function rewrite(text: string, sortKeys: boolean): string | undefined {
  src = text;
  at = 0;
  sorted = sortKeys;
  try {
    const out = value();
    blanks();
    return at === src.length ? out : undefined;
  } catch {
    // GIVE_UP, or a nesting deep enough to exhaust the stack: the reference path decides (and throws if it must).
    return undefined;
  } finally {
    src = '';
    // Nothing outlives the call: a GIVE_UP from inside an object leaves its members on the stack.
    top = 0;
  }
}

function blanks(): void {
  let c = src.charCodeAt(at);
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = src.charCodeAt(++at);
}

function value(): string {
  blanks();
  const c = src.charCodeAt(at);
  if (c === 0x22) return string();
  if (c === 0x7b) return object();
  if (c === 0x5b) return array();
  if (c === 0x74) return literal('true');
  if (c === 0x66) return literal('false');
  if (c === 0x6e) return literal('null');
  return number();
}

function literal(word: string): string {
  if (!src.startsWith(word, at)) throw GIVE_UP;
  at += word.length;
  return word;
}

/** Digits, sign, point and exponent; written as JSON.stringify writes what JSON.parse makes of them. */
function number(): string {
  const start = at;
  let c = src.charCodeAt(at);
  while ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) c = src.charCodeAt(++at);
  const token = src.slice(start, at);
  if (SAFE_INTEGER.test(token)) return token;
  if (!JSON_NUMBER.test(token)) throw GIVE_UP;
  // JSON.parse reads a number as Number() does (both round to the nearest double); JSON.stringify writes
  // what String() writes, but null for ±Infinity and 0 for -0.
  return JSON.stringify(Number(token));
}

/** Integers JavaScript writes back digit for digit (up to 15 digits: below 2^53). */
const SAFE_INTEGER = /^(?:0|-?[1-9]\d{0,14})$/;
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** The string token as it stands, when every escape in it is one JSON.stringify would write. */
function string(): string {
  const start = at;
  let end = src.indexOf('"', at + 1);
  for (;;) {
    if (end < 0) throw GIVE_UP;
    let backslashes = 0;
    while (src.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) break;
    end = src.indexOf('"', end + 1);
  }
  at = end + 1;
  const token = src.slice(start, at);
  if (token.includes('\\') && !CANONICAL_ESCAPES.test(token)) throw GIVE_UP;
  return token;
}

/** Only JSON.stringify's escapes: the short ones, and \u00xx (lowercase) for the other control characters. */
const CANONICAL_ESCAPES = /^"(?:[^\\]|\\["\\bfnrt]|\\u00(?:0[0-7bef]|1[0-9a-f]))*"$/;

function array(): string {
  at++;
  blanks();
  if (src.charCodeAt(at) === 0x5d) {
    at++;
    return '[]';
  }
  let out = '[';
  for (;;) {
    out += value();
    blanks();
    const c = src.charCodeAt(at++);
    if (c === 0x5d) return `${out}]`;
    if (c !== 0x2c) throw GIVE_UP;
    out += ',';
  }
}

function object(): string {
  at++;
  blanks();
  if (src.charCodeAt(at) === 0x7d) {
    at++;
    return '{}';
  }
  // Members are written out as they come while their keys come in an order that proves them distinct:
  // JavaScript's, which canonical JSON wants, or for the compact JSON also jsonb's own (shorter
  // first), in which every object PostgreSQL prints comes. They are also kept on a stack shared by
  // every level (nothing allocated per object): an object out of those orders (for canonical JSON,
  // most objects of more than one key PostgreSQL prints) is sorted or checked for a key met twice
  // there, without being read again.
  const base = top;
  let out = '{';
  let jsOrder = true;
  let jsonbOrder = !sorted;
  for (;;) {
    const token = memberKey();
    if (top > base) {
      const previous = memberKeys[top - 1];
      jsOrder &&= previous < key;
      jsonbOrder &&= previous.length < key.length || (previous.length === key.length && previous < key);
    }
    const name = key;
    const member = `${token}:${value()}`;
    memberKeys[top] = name;
    members[top++] = member;
    if (jsOrder || jsonbOrder) out += `${out.length > 1 ? ',' : ''}${member}`;
    blanks();
    const c = src.charCodeAt(at++);
    if (c === 0x7d) break;
    if (c !== 0x2c) throw GIVE_UP;
  }
  if (!jsOrder && !jsonbOrder) {
    if (sorted) sortMembers(base);
    else if (hasDuplicate(base)) throw GIVE_UP;
    out = `{${members[base]}`;
    for (let i = base + 1; i < top; i++) out += `,${members[i]}`;
  }
  top = base;
  return `${out}}`;
}

/** The members of the objects being read, innermost last: their keys (unescaped) and their text. */
const memberKeys: string[] = [];
const members: string[] = [];
let top = 0;

/** The key `memberKey` read last, unescaped. */
let key = '';

/** The next member's key token as written (the key it stands for in `key`); leaves `at` on its value. */
function memberKey(): string {
  blanks();
  if (src.charCodeAt(at) !== 0x22) throw GIVE_UP;
  const token = string();
  key = token.includes('\\') ? (JSON.parse(token) as string) : token.slice(1, -1);
  // JSON.parse puts array-index keys ("0", "17") first, in numeric order: left to the reference path.
  if (!sorted && isDigit(key.charCodeAt(0))) throw GIVE_UP;
  blanks();
  if (src.charCodeAt(at++) !== 0x3a) throw GIVE_UP;
  return token;
}

/**
 * Sorts the members from `base` to the top by key, as canonicalJson's `Object.keys().sort()` orders
 * them (UTF-16 code units): an insertion sort, objects being small. A key met twice gives up.
 */
function sortMembers(base: number): void {
  for (let i = base + 1; i < top; i++) {
    const k = memberKeys[i];
    const m = members[i];
    let j = i - 1;
    while (j >= base && memberKeys[j] > k) {
      memberKeys[j + 1] = memberKeys[j];
      members[j + 1] = members[j];
      j--;
    }
    if (j >= base && memberKeys[j] === k) throw GIVE_UP;
    memberKeys[j + 1] = k;
    members[j + 1] = m;
  }
}

/** Whether a key is met twice among the members from `base` to the top (JSON.parse keeps the last). */
function hasDuplicate(base: number): boolean {
  if (top - base > 8) return new Set(memberKeys.slice(base, top)).size !== top - base;
  for (let i = base + 1; i < top; i++) for (let j = base; j < i; j++) if (memberKeys[i] === memberKeys[j]) return true;
  return false;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
