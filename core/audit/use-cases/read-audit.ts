import { DomainError } from '../../shared/errors';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { AuditEvent } from '../audit-event';
import { authorize, within, type Actor } from '../../authorization';
import type { AuditLog } from '../audit-log';
import type { AuditEventFilter, AuditEventRow, AuditQueries, AuditTransaction, AuditTransactionFilter, EventCursor, TransactionCursor } from '../audit-queries';
import type { Queryable } from '../../db/pool';

/** What an auditor asks for: the filters as typed, the citizen's national ID number still in clear. */
export interface TransactionQuery extends Omit<AuditTransactionFilter, 'citizenIdHash'> {
  /** A national ID number: matched through its keyed hash, never stored, logged or echoed. */
  citizen?: string;
}

export interface Page<T, C> {
  items: T[];
  next: C | null;
}

/** Rows per page of an export: big enough to keep the database busy, small enough for flat memory. */
const EXPORT_PAGE = 2000;

/**
 * The auditors' read side of the log (GET /v1/audit/…): transactions and events by filter, a
 * transaction's whole trail, and exports, each narrowed to the scope the policy's `audit.read` allows
 * (an agency client: its own agency's).
 */
export class ReadAudit {
  constructor(
    private readonly queries: AuditQueries,
    private readonly audit: AuditLog,
    private readonly db: Queryable,
    private readonly vault: PersonalDataVault,
  ) {}

  async transactions(actor: Actor, query: TransactionQuery, after: TransactionCursor | undefined, limit: number): Promise<Page<AuditTransaction, TransactionCursor>> {
    const filter = this.transactionFilter(actor, query);
    if (filter === null) return { items: [], next: null };
    return page(await this.queries.transactions(filter, after, limit + 1), limit);
  }

  async events(actor: Actor, query: Omit<AuditEventFilter, 'agency'>, after: EventCursor | undefined, limit: number): Promise<Page<AuditEventRow, EventCursor>> {
    return page(await this.queries.events(this.eventFilter(actor, query), after, limit + 1), limit);
  }

  /** Every event of one transaction, in chain order, with its chain, position and hashes. */
  async trail(actor: Actor, transactionId: string): Promise<AuditEvent[]> {
    const notFound = () => new DomainError('not_found', 'transaction-not-found', `No transaction ${transactionId}.`);
    const agency = await this.queries.transactionAgency(transactionId);
    // Another agency's transaction does not exist for an agency client (the policy's `hidden`).
    authorize(actor, 'audit.read', agency === null ? undefined : { agency }, notFound);
    if (agency === null) throw notFound();
    return this.audit.history(this.db, 'transaction', transactionId);
  }

  /** Every matching transaction, page by page (constant memory whatever the count). */
  async *exportTransactions(actor: Actor, query: TransactionQuery): AsyncGenerator<AuditTransaction> {
    const filter = this.transactionFilter(actor, query);
    if (filter === null) return;
    for (let after: TransactionCursor | undefined; ; ) {
      const rows = await this.queries.transactions(filter, after, EXPORT_PAGE);
      yield* rows;
      if (rows.length < EXPORT_PAGE) return;
      after = rows[rows.length - 1].cursor;
    }
  }

  async *exportEvents(actor: Actor, query: Omit<AuditEventFilter, 'agency'>): AsyncGenerator<AuditEventRow> {
    const filter = this.eventFilter(actor, query);
    for (let after: EventCursor | undefined; ; ) {
      const rows = await this.queries.events(filter, after, EXPORT_PAGE);
      yield* rows;
      if (rows.length < EXPORT_PAGE) return;
      after = rows[rows.length - 1].cursor;
    }
  }

  /** The scope's agency wins over the query's: a query for another agency finds nothing (null). */
  private transactionFilter(actor: Actor, query: TransactionQuery): AuditTransactionFilter | null {
    const scope = authorize(actor, 'audit.read');
    if (!within(scope, { agency: query.agency })) return null;
    const { citizen, ...rest } = query;
    return { ...rest, ...(scope.agency !== undefined ? { agency: scope.agency } : {}), ...(citizen !== undefined ? { citizenIdHash: this.vault.lookupHash(citizen) } : {}) };
  }

  private eventFilter(actor: Actor, query: Omit<AuditEventFilter, 'agency'>): AuditEventFilter {
    const scope = authorize(actor, 'audit.read');
    return { ...query, ...(scope.agency !== undefined ? { agency: scope.agency } : {}) };
  }
}

function page<T extends { cursor: C }, C>(rows: T[], limit: number): Page<T, C> {
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit ? items[items.length - 1].cursor : null };
}
