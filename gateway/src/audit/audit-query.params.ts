import type { AuditEventQuery, AuditTransactionQuery } from '../../../contracts/src/message.types';
import type { AuditEventFilter, EventCursor, TransactionCursor } from '../../../core/audit/audit-queries';
import type { TransactionQuery } from '../../../core/audit/use-cases/read-audit';
import { DomainError } from '../../../core/shared/errors';
import { isUuid } from '../../../core/shared/uuid';

/**
 * The auditors' query strings, already valid against their message schemas (http/valid-query.ts),
 * turned into the read side's filters; and the opaque cursors of their pages.
 */
type TransactionParams = Omit<AuditTransactionQuery, 'cursor' | 'limit'>;
type EventParams = Omit<AuditEventQuery, 'cursor' | 'limit'>;

const DEFAULT_LIMIT = 50;

export function pageLimit(limit: string | undefined): number {
  return limit === undefined ? DEFAULT_LIMIT : Number(limit);
}

export function transactionQuery(query: TransactionParams): TransactionQuery {
  const { agency, service, centre, channel, officer, state, citizen } = query;
  return { agency, service, centre, channel, officer, state, citizen, from: time(query.from), to: time(query.to) };
}

export function eventFilter(query: EventParams): Omit<AuditEventFilter, 'agency'> {
  const { entityType, entityId, type, actor } = query;
  return { entityType, entityId, type, actor, from: time(query.from), to: time(query.to) };
}

export function encodeTransactionCursor(cursor: TransactionCursor): string {
  return Buffer.from(JSON.stringify({ t: cursor.at.toString(), i: cursor.id })).toString('base64url');
}

export function decodeTransactionCursor(text: string | undefined): TransactionCursor | undefined {
  if (text === undefined) return undefined;
  const parsed = parse(text);
  if (typeof parsed.i !== 'string' || !isUuid(parsed.i)) throw badCursor();
  return { at: cursorMicros(parsed.t), id: parsed.i };
}

export function encodeEventCursor(cursor: EventCursor): string {
  return Buffer.from(JSON.stringify({ t: cursor.at.toString(), s: cursor.shard, q: cursor.seq })).toString('base64url');
}

export function decodeEventCursor(text: string | undefined): EventCursor | undefined {
  if (text === undefined) return undefined;
  const parsed = parse(text);
  const ok = Number.isInteger(parsed.s) && Number.isInteger(parsed.q);
  if (!ok || (parsed.s as number) < 0 || (parsed.q as number) < 0 || (parsed.q as number) > Number.MAX_SAFE_INTEGER || (parsed.s as number) > 2 ** 31 - 1) throw badCursor();
  return { at: cursorMicros(parsed.t), shard: parsed.s as number, seq: parsed.q as number };
}

/** Microseconds since the epoch within years 0001 to 9999: a crafted one beyond PostgreSQL's range was a 500. */
const MIN_MICROS = -62_135_596_800_000_000n;
const MAX_MICROS = 253_402_300_799_999_999n;

function cursorMicros(text: unknown): bigint {
  if (typeof text !== 'string' || !/^-?\d{1,18}$/.test(text)) throw badCursor();
  const micros = BigInt(text);
  if (micros < MIN_MICROS || micros > MAX_MICROS) throw badCursor();
  return micros;
}

function time(text: string | undefined): Date | undefined {
  return text === undefined ? undefined : new Date(text);
}

function parse(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw badCursor();
}

function badCursor(): DomainError {
  return new DomainError('invalid', 'validation-failed', 'The query is not valid; see `errors`.', {
    errors: [{ field: 'query:cursor', message: 'is not a cursor from a previous page' }],
  });
}
