/**
 * RFC 6901 JSON pointers: the only way fields are named in errors and mappings. The catalogue
 * names fields with them; adapters read agency answers and write agency requests with them.
 */

export function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapePointerSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function childPointer(parent: string, key: string | number): string {
  return `${parent}/${typeof key === 'number' ? key : escapePointerSegment(key)}`;
}

/** `''` is the whole document; otherwise the unescaped segments after the leading `/`. */
export function pointerSegments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map(unescapePointerSegment);
}

/** As pointerSegments, for a pointer from outside (an agency file): one without its leading `/` is refused. */
export function parsePointer(pointer: string): string[] {
  if (pointer !== '' && !pointer.startsWith('/')) throw new SyntaxError(`JSON pointer "${pointer}" must start with "/"`);
  return pointerSegments(pointer);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The tokens of pointers read before: the agency files' pointers are read on every agency answer
 * (issue 13). Kept frozen, and at most MAX_PARSED of them, since a pointer may come from elsewhere.
 */
const parsed = new Map<string, readonly string[]>();
const MAX_PARSED = 1000;

function tokensOf(pointer: string): readonly string[] {
  let tokens = parsed.get(pointer);
  if (!tokens) {
    tokens = Object.freeze(parsePointer(pointer));
    if (parsed.size < MAX_PARSED) parsed.set(pointer, tokens);
  }
  return tokens;
}

export function getByPointer(document: unknown, pointer: string): unknown {
  let current: unknown = document;
  for (const token of tokensOf(pointer)) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
      current = current[Number(token)];
    } else if (isRecord(current)) {
      current = Object.prototype.hasOwnProperty.call(current, token) ? current[token] : undefined;
    } else {
      return undefined;
    }
  }
  return current;
}

/** Sets `value` at `pointer` inside `target`, creating intermediate objects. */
export function setByPointer(target: Record<string, unknown>, pointer: string, value: unknown): void {
  const tokens = tokensOf(pointer);
  if (tokens.length === 0) throw new SyntaxError('cannot set the whole document');
  let current = target;
  for (const token of tokens.slice(0, -1)) {
    assertSafeKey(token);
    const next = current[token];
    if (isRecord(next)) {
      current = next;
    } else {
      const created: Record<string, unknown> = {};
      current[token] = created;
      current = created;
    }
  }
  const last = tokens[tokens.length - 1];
  assertSafeKey(last);
  current[last] = value;
}

function assertSafeKey(token: string): void {
  // Mapping targets come from agency files; never let one reach Object.prototype.
  if (token === '__proto__' || token === 'constructor' || token === 'prototype') {
    throw new SyntaxError(`JSON pointer token "${token}" is not allowed`);
  }
}
