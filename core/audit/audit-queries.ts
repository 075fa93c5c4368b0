import type { AuditEvent, PublicAuditEvent } from './audit-event';
import type { JsonText } from './json-text';

/** Newest first: the position after which the next page starts. `at` is in microseconds since the epoch, exact. */
export interface TransactionCursor {
  at: bigint;
  id: string;
}

export interface EventCursor {
  at: bigint;
  shard: number;
  seq: number;
}

export interface AuditTransactionFilter {
  agency?: string;
  service?: string;
  centre?: string;
  channel?: string;
  officer?: string;
  state?: string;
  /** Created at or after. */
  from?: Date;
  /** Created before. */
  to?: Date;
  /** The keyed hash of a national ID number (never the number itself). */
  citizenIdHash?: string;
}

export interface AuditEventFilter {
  /** Absent: administrative actions only (every entity but transactions). */
  entityType?: string;
  entityId?: string;
  type?: string;
  actor?: string;
  from?: Date;
  to?: Date;
  /** Only what this agency may see: its own agency entity, its transactions' events, the seals. */
  agency?: string;
}

/** A transaction as an auditor lists it: who, what, where, when and how it ended; no personal data. */
export interface AuditTransaction {
  id: string;
  service: string;
  agency: string;
  centre: string | null;
  channel: string;
  officer: string | null;
  submittedBy: string;
  /** The OAuth client (token azp) that submitted it; null before it was recorded. */
  channelClient: string | null;
  state: string;
  agencyReference: string | null;
  createdAt: Date;
  updatedAt: Date;
  cursor: TransactionCursor;
}

export interface AuditEventRow extends AuditEvent {
  cursor: EventCursor;
}

/**
 * An event as the export writes it: PublicAuditEvent field for field, read as text and written once
 * (`data` is the JSON text JSON.stringify would write for it).
 */
export type ExportedEvent = Omit<PublicAuditEvent, 'data'> & { data: JsonText };

/** A page of an export: its rows (made as they are read, perhaps), how many, and the cursor of the last (null when none). */
export interface ExportPage<T, C> {
  rows: Iterable<T>;
  count: number;
  last: C | null;
}

/** The audit log's read side (pg/audit-queries.pg.ts): keyset pages, newest first, one index per filter. */
export abstract class AuditQueries {
  abstract transactions(filter: AuditTransactionFilter, after: TransactionCursor | undefined, limit: number): Promise<AuditTransaction[]>;
  abstract events(filter: AuditEventFilter, after: EventCursor | undefined, limit: number): Promise<AuditEventRow[]>;
  /** `events`' rows as the export writes them. */
  abstract exportEvents(filter: AuditEventFilter, after: EventCursor | undefined, limit: number): Promise<ExportPage<ExportedEvent, EventCursor>>;
  /** The transaction's agency, or null when there is no such transaction. */
  abstract transactionAgency(id: string): Promise<string | null>;
}
