/**
 * JSON with object keys sorted at every level, so that the same event always hashes the same,
 * whatever order its fields were written in or came back from jsonb.
 * Written as loops over one growing string (no intermediate arrays): verify runs it for every event.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // A hole of a sparse array stays empty, as Array.prototype.join leaves it.
      if (i in value) out += canonicalJson(value[i] === undefined ? null : value[i]);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = sortedKeys(Object.keys(record));
  let out = '{';
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
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
