import type { AuditEvent, NewAuditEvent } from '../audit/audit-event';
import type { TransactionError, TransactionRecord, TransactionState } from './domain/transaction';

export type NewTransactionRecord = Omit<TransactionRecord, 'attempts' | 'createdAt' | 'updatedAt' | 'agencyRef' | 'result' | 'lastError'> & {
  /** The creator claims the first attempt at insert time (it dispatches inline). */
  attempts: number;
};

export interface StateChange {
  state: TransactionState;
  agencyRef?: string | null;
  result?: Record<string, unknown> | null;
  lastError?: TransactionError | null;
  nextAttemptAt?: Date | null;
}

export interface OverdueTransaction {
  id: string;
  agencyCode: string;
  attempts: number;
}

/** What recording an agency's late answer (file drop) did. */
export type AnswerRecording =
  | { kind: 'recorded'; row: TransactionRecord }
  /** The transaction had already finished (a duplicate answer, or one after cancel): nothing written. */
  | { kind: 'unchanged'; state: TransactionState }
  /** No transaction of that agency has that id. */
  | { kind: 'unknown' };

/** The transaction aggregate's storage port; the pg implementation lives in ./pg. */
export abstract class TransactionRepository {
  /**
   * Records a new transaction with its `received` event, in one database transaction. When the
   * caller's idempotency key was used before, nothing is written and the existing row comes back.
   */
  abstract insertReceived(record: NewTransactionRecord, event: NewAuditEvent): Promise<{ row: TransactionRecord; created: boolean }>;

  abstract findById(id: string): Promise<TransactionRecord | null>;

  /**
   * Takes the next attempt of a due transaction (received/retrying, next_attempt_at passed): bumps
   * `attempts` and pushes `next_attempt_at` out by the lease, so no other dispatcher takes it
   * meanwhile. Null when it is not due, not dispatchable, or someone else holds it.
   */
  abstract claimAttempt(id: string, leaseMs: number): Promise<TransactionRecord | null>;

  /**
   * Applies the result of attempt number `attempt` if that attempt is still the current one and
   * the state allows it, appending `events` in the same database transaction. Null when the
   * transaction moved on meanwhile (nothing is written).
   */
  abstract applyAttempt(id: string, attempt: number, change: StateChange, events: NewAuditEvent[]): Promise<TransactionRecord | null>;

  /** Dispatchable transactions whose due time passed more than `graceMs` ago (crash recovery). */
  abstract findOverdue(graceMs: number, limit: number): Promise<OverdueTransaction[]>;

  /**
   * Dispatched transactions whose answer is overdue (`next_attempt_at` passed), oldest first.
   */
  abstract findUnanswered(limit: number): Promise<TransactionRecord[]>;

  /**
   * Applies an agency's answer to a transaction of that agency that has not finished yet
   * (whatever attempt is current: the answer is the agency's word on the application),
   * appending `event` in the same statement. A finished transaction is left as it is.
   */
  abstract recordAnswer(id: string, agencyCode: string, change: StateChange, event: NewAuditEvent): Promise<AnswerRecording>;

  abstract history(id: string): Promise<AuditEvent[]>;

  /** Transactions not yet terminal, per agency and state (for GET /v1/agencies). */
  abstract openCountsByAgency(): Promise<Record<string, Partial<Record<TransactionState, number>>>>;
}
