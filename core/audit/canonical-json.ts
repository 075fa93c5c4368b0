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
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}
