import { maskPersonalDataIn } from '../../../core/shared/personal-data';

/**
 * Personal data and credentials never reach a log line: any field whose name contains one of
 * these words is replaced, however deep it sits. Over-redacting (`tokenCount`) is the safe
 * mistake. Behind that, every string value (and the message: logger.ts) has whatever is shaped
 * like a national ID or a Kenyan mobile number masked, for a path or an error text that carries one.
 */
const SENSITIVE_KEY =
  /idnumber|nationalid|phone|msisdn|citizen|authorization|cookie|password|passwd|token|secret|datakey|apikey|api-key|private/i;

export const REDACTED = '[redacted]';
const MAX_DEPTH = 8;
const MAX_ARRAY_ITEMS = 50;

/** Not `instanceof`: errors raised by Node itself may come from another realm (vm contexts, Jest). */
export function isErrorLike(value: unknown): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key);
}

/** A JSON-safe copy of `value` with sensitive fields replaced. */
export function redact(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return maskPersonalDataIn(value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'undefined' || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (isErrorLike(value)) {
    return redact({ name: value.name, message: value.message, stack: value.stack }, depth, seen);
  }
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      return value.slice(0, MAX_ARRAY_ITEMS).map((item) => redact(item, depth + 1, seen) ?? null);
    }
    const copy: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      copy[key] = isSensitiveKey(key) ? REDACTED : redact(inner, depth + 1, seen);
    }
    return copy;
  } finally {
    seen.delete(value);
  }
}
