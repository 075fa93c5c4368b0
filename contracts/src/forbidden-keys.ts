/**
 * Prototype-pollution guard. `JSON.parse` happily creates own properties named `__proto__`,
 * `constructor` or `prototype`; code that later copies or merges the body (field mapping,
 * spreading into a new object) could then change Object.prototype. Rejected anywhere in a body.
 */
import type { FieldError } from './field-error';
import { childPointer } from './json-pointer';

const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** Deeper than any form; a guard against stack-like cost on hostile bodies. */
export const MAX_NESTING_DEPTH = 32;

/**
 * More fields in one object than any message has (an agency file's field map included). Ajv
 * with `allErrors` would build one error per unknown key (60,000 keys: a 3 MB error list, over a
 * second) before the list is cut; such an object is refused here, in one error, before Ajv runs.
 */
export const MAX_FIELDS_PER_OBJECT = 1000;
/** The same for the items of one array. */
export const MAX_ITEMS_PER_ARRAY = 10_000;

/**
 * Appends an error to `out` for every reserved key (and every object nested too deeply or with
 * too many fields),
 * up to `limit` errors in all. Iterative, so a deep body cannot overflow the stack.
 */
export function appendForbiddenKeys(value: unknown, prefix: string, out: FieldError[], limit: number): void {
  if (!isContainer(value)) return;
  const pending: Pending[] = [{ value, parent: undefined, key: prefix, depth: 0 }];
  while (pending.length > 0 && out.length < limit) {
    const current = pending.pop()!;
    if (current.depth > MAX_NESTING_DEPTH) {
      out.push({ field: pointerOf(current), message: `is nested too deeply (more than ${MAX_NESTING_DEPTH} levels)` });
      continue;
    }
    if (Array.isArray(current.value)) {
      if (current.value.length > MAX_ITEMS_PER_ARRAY) {
        out.push({ field: pointerOf(current), message: `has more than ${MAX_ITEMS_PER_ARRAY} items` });
        continue;
      }
      for (let i = current.value.length - 1; i >= 0; i--) {
        const item: unknown = current.value[i];
        if (isContainer(item)) pending.push({ value: item, parent: current, key: i, depth: current.depth + 1 });
      }
      continue;
    }
    const record = current.value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length > MAX_FIELDS_PER_OBJECT) {
      out.push({ field: pointerOf(current), message: `has more than ${MAX_FIELDS_PER_OBJECT} fields` });
      continue;
    }
    for (const name of keys) {
      if (!RESERVED_NAMES.has(name)) continue;
      out.push({ field: childPointer(pointerOf(current), name), message: 'is a reserved name (__proto__, constructor, prototype) and is not allowed as a field' });
      if (out.length >= limit) return;
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      const name = keys[i];
      const child = record[name];
      if (isContainer(child) && !RESERVED_NAMES.has(name)) {
        pending.push({ value: child, parent: current, key: name, depth: current.depth + 1 });
      }
    }
  }
}

/**
 * A container waiting to be looked at, with the way to it: its pointer is written only for an
 * error, not for every object of every valid body (issue 13). The root's key is the prefix.
 */
interface Pending {
  value: object;
  parent: Pending | undefined;
  key: string | number;
  depth: number;
}

function pointerOf(entry: Pending): string {
  return entry.parent === undefined ? (entry.key as string) : childPointer(pointerOf(entry.parent), entry.key);
}

/** Only objects and arrays can hold keys; scalars are never queued. */
function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
