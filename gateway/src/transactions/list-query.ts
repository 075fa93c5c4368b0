import type { TransactionPage, TransactionQuery } from '../../../contracts/src/message.types';
import { DomainError } from '../../../core/shared/errors';
import { isUuid } from '../../../core/shared/uuid';
import type { ListFilter } from '../../../core/transactions/transaction.repository';
import type { TransactionPage as PageOfTransactions } from '../../../core/transactions/use-cases/list-transactions';

/**
 * A transaction list's query string, already valid against transaction-query.v1.json (or
 * reconciliation-query.v1.json, its state fixed), turned into the repository's filter; and the
 * opaque cursor of its pages.
 */
const DEFAULT_LIMIT = 50;

export function listFilter(query: TransactionQuery): ListFilter {
  return {
    state: query.state,
    agencyCode: query.agency,
    serviceCode: query.service,
    reasonCode: query.reason,
    after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
    limit: query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit),
  };
}

/** A page as the API shows it: the position of the next page as an opaque cursor. */
export function toPage(page: PageOfTransactions): TransactionPage {
  return { items: page.items, nextCursor: page.next ? encodeCursor(page.next.createdAt, page.next.id) : null };
}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify({ c: createdAt.toISOString(), i: id })).toString('base64url');
}

/**
 * Only what encodeCursor writes: a time exactly as `toISOString` gives it (years 0000 to 9999, so
 * always within PostgreSQL's range; a crafted `-271821-04-20…` is refused, not a failed statement).
 */
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function decodeCursor(cursor: string): ListFilter['after'] {
  let parsed: { c?: unknown; i?: unknown } | null = null;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { c?: unknown; i?: unknown } | null;
  } catch {
    // not JSON: refused below
  }
  const time = typeof parsed?.c === 'string' && CURSOR_TIME.test(parsed.c) ? new Date(parsed.c) : null;
  if (!time || Number.isNaN(time.getTime()) || time.toISOString() !== parsed?.c || typeof parsed.i !== 'string' || !isUuid(parsed.i)) {
    throw new DomainError('invalid', 'validation-failed', 'The query is not valid; see `errors`.', {
      errors: [{ field: 'query:cursor', message: 'is not a cursor from a previous page' }],
    });
  }
  return { createdAt: time, id: parsed.i };
}
