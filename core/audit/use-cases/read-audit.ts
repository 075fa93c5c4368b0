import { DomainError } from '../../shared/errors';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { AuditEvent } from '../audit-event';
import { authorize, within, type Actor } from '../../authorization';
import type { AuditLog } from '../audit-log';
import type { AuditEventFilter, AuditEventRow, AuditQueries, AuditTransaction, AuditTransactionFilter, EventCursor, ExportedEvent, ExportPage, TransactionCursor } from '../audit-queries';
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
const EXPORT_PAGE = 1000;

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

  /** Every matching transaction, a page at a time (constant memory whatever the count). */
  async *exportTransactions(actor: Actor, query: TransactionQuery): AsyncGenerator<Iterable<AuditTransaction>> {
    const filter = this.transactionFilter(actor, query);
    if (filter === null) return;
    yield* keysetWalk(async (after: TransactionCursor | undefined) => {
      const rows = await this.queries.transactions(filter, after, EXPORT_PAGE);
      return { rows, count: rows.length, last: rows.length ? rows[rows.length - 1].cursor : null };
    });
  }

  /** Every matching event, a page at a time, as the export writes it. */
  async *exportEvents(actor: Actor, query: Omit<AuditEventFilter, 'agency'>): AsyncGenerator<Iterable<ExportedEvent>> {
    const filter = this.eventFilter(actor, query);
    yield* keysetWalk((after: EventCursor | undefined) => this.queries.exportEvents(filter, after, EXPORT_PAGE));
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

/**
 * The pages of a keyset walk, one after the other. The next page is asked for as soon as one arrives,
 * so the database reads it while this one is written out; no connection is held between pages
 * (a slow download holds none), and at most two pages are in memory.
 */
async function* keysetWalk<T, C>(fetch: (after: C | undefined) => Promise<ExportPage<T, C>>): AsyncGenerator<Iterable<T>> {
  for (let pending: Promise<ExportPage<T, C>> | undefined = fetch(undefined); pending; ) {
    const { rows, count, last }: ExportPage<T, C> = await pending;
    pending = count === EXPORT_PAGE && last !== null ? fetch(last) : undefined;
    // A failure of the page asked for ahead surfaces where it is awaited (or nowhere, once the reader has left).
    pending?.catch(() => undefined);
    if (count) yield rows;
  }
}

function page<T extends { cursor: C }, C>(rows: T[], limit: number): Page<T, C> {
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit ? items[items.length - 1].cursor : null };
}
