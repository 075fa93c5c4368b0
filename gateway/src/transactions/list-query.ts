import { TRANSACTION_STATES, type TransactionState } from '../../../core/transactions/domain/transaction';
import { DomainError } from '../../../core/shared/errors';
import { isUuid } from '../../../core/shared/uuid';
import type { ListFilter } from '../../../core/transactions/transaction.repository';
import type { TransactionSummary } from '../../../core/transactions/transaction.view';
import type { TransactionPage } from '../../../core/transactions/use-cases/list-transactions';

export interface ListQuery {
  state?: string;
  agency?: string;
  service?: string;
  reason?: string;
  cursor?: string;
  limit?: string;
}

/** `?state=parked&agency=&service=&reason=&cursor=&limit=` → a repository filter; 422 naming the bad query field. */
export function parseListQuery(query: ListQuery, defaultState?: TransactionState): ListFilter {
  const errors: Array<{ field: string; message: string }> = [];
  const state = (query.state ?? defaultState) as TransactionState | undefined;
  if (!state || !TRANSACTION_STATES.includes(state)) errors.push({ field: 'query:state', message: `must be one of ${TRANSACTION_STATES.join(', ')}` });
  const limit = query.limit === undefined ? 50 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) errors.push({ field: 'query:limit', message: 'must be an integer from 1 to 200' });
  let after: ListFilter['after'];
  if (query.cursor) {
    after = decodeCursor(query.cursor);
    if (!after) errors.push({ field: 'query:cursor', message: 'is not a cursor from a previous page' });
  }
  if (errors.length > 0) throw new DomainError('invalid', 'validation-failed', 'The query is not valid; see `errors`.', { errors });
  return { state: state as TransactionState, agencyCode: query.agency, serviceCode: query.service, reasonCode: query.reason, after, limit };
}

/** A page as the API shows it: the position of the next page as an opaque cursor. */
export function toPage(page: TransactionPage): { items: TransactionSummary[]; nextCursor: string | null } {
  return { items: page.items, nextCursor: page.next ? encodeCursor(page.next.createdAt, page.next.id) : null };
}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify({ c: createdAt.toISOString(), i: id })).toString('base64url');
}

function decodeCursor(cursor: string): ListFilter['after'] | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { c?: unknown; i?: unknown };
    const createdAt = typeof parsed.c === 'string' ? new Date(parsed.c) : new Date(NaN);
    if (Number.isNaN(createdAt.getTime()) || typeof parsed.i !== 'string' || !isUuid(parsed.i)) return undefined;
    return { createdAt, id: parsed.i };
  } catch {
    return undefined;
  }
}
