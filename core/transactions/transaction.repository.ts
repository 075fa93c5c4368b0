import type { AuditEvent, NewAuditEvent } from '../audit/audit-event';
import type { ReplayCursor, ReplayFilters } from '../replay-tasks/domain/replay-task';
import { DomainError } from '../shared/errors';
import type { IdempotentRequest, StoredAnswer } from '../idempotency/domain/idempotent-request';
import type { NewTransaction, Transaction, TransactionState, TransactionStep } from './domain/transaction';

/** `apply` throws this when the step gives a provisional reference another transaction holds. */
export const PROVISIONAL_REF_TAKEN = 'provisional-reference-taken';

export function isProvisionalRefTaken(error: unknown): boolean {
  return error instanceof DomainError && error.code === PROVISIONAL_REF_TAKEN;
}

export type Recording =
  | { kind: 'created'; transaction: Transaction }
  /** The caller's idempotency key had already recorded a transaction: nothing written, that one comes back. */
  | { kind: 'existing'; transaction: Transaction }
  /** The provisional reference collided with another (the caller draws again). */
  | { kind: 'provisional-ref-taken' }
  /** The Idempotency-Key to claim with the record was claimed already (RecordOptions.claim): nothing written. */
  | { kind: 'key-claimed' };

export interface RecordOptions {
  /** Claim the caller's Idempotency-Key in the same statement (core/idempotency, InlineKey). */
  claim?: IdempotentRequest;
  /** With `claim`: store this answer on the key too (the row is recorded as the caller's answer shows it). */
  answer?: StoredAnswer;
}

export interface Applied {
  transaction: Transaction;
  /** For a step that completed the transaction: another transaction of its agency that holds the same agency reference. */
  duplicateOf: string | null;
  /** The citizen notice asked for with the step was recorded by it (and was not already there). */
  noticeRecorded: boolean;
  /** ApplyOptions.answer was stored with the step. */
  answered: boolean;
}

export interface ApplyOptions {
  /**
   * Record this citizen notice (once per transaction and kind) in the outbox in the same statement,
   * if the step completes the transaction (core/notifications/notice-outbox.ts; the worker sends it).
   */
  notice?: { kind: string; phoneSealed: Buffer | null; text: string };
  /** Look for another transaction of the same agency holding the agency reference this step records. */
  findDuplicateReference?: boolean;
  /**
   * Store the caller's answer on its Idempotency-Key (claimed with the record) in the same
   * statement: `transaction` is the row as the step leaves it, `at` the step's time (updated_at),
   * so that the stored answer is exactly what the caller sends. Not stored when the step's guard
   * fails or, with findDuplicateReference, another transaction holds the reference (a conflict
   * follows): `Applied.answered` says which.
   */
  answer?: { request: IdempotentRequest; answer: StoredAnswer; transaction: Transaction; at: Date };
}

export interface OverdueTransaction {
  id: string;
  agencyCode: string;
  attempts: number;
}

export interface ListFilter {
  state: TransactionState;
  /** Only this centre's (a reader bound to a centre). */
  centreCode?: string;
  agencyCode?: string;
  serviceCode?: string;
  /** The parked reason's code. */
  reasonCode?: string;
  /** Opaque cursor from the previous page. */
  after?: { createdAt: Date; id: string };
  limit: number;
}

export interface ReplayProgress {
  /** Stored transactions still waiting to be replayed. */
  backlog: number;
  /** Stored transactions whose replay reached the agency. */
  replayed: number;
  /** Stored transactions parked for a human. */
  failed: number;
  /** What left the backlog in the last REPLAY_PROGRESS_WINDOW_S seconds, and over how many seconds (first of them to now). */
  recent: { count: number; spanSeconds: number };
}

/**
 * The transaction aggregate's storage port (pg implementation in ./pg). Every change goes through
 * `apply`: a step decided in the domain, written with its audit events in one statement under its
 * guard, so that of two writers only the one whose premises still hold changes anything.
 */
export abstract class TransactionRepository {
  /**
   * Records a new transaction with its first events, in one statement. When the caller's
   * idempotency key was used before, nothing is written and the existing transaction comes back.
   */
  abstract record(transaction: NewTransaction, events: NewAuditEvent[], options?: RecordOptions): Promise<Recording>;

  abstract find(id: string): Promise<Transaction | null>;

  /** The transactions (at most `limit`) whose provisional reference, or agency reference of any agency, is `reference` exactly. */
  abstract findByReference(reference: string, limit: number): Promise<Transaction[]>;

  abstract history(id: string): Promise<AuditEvent[]>;

  /** One state, oldest first (created_at, id), with cursor pagination. */
  abstract list(filter: ListFilter): Promise<Transaction[]>;

  /**
   * Takes the next attempt of a due transaction (received/retrying, next_attempt_at passed): bumps
   * `attempts` and pushes `next_attempt_at` out by the lease, so no other dispatcher takes it
   * meanwhile. Null when it is not due, not dispatchable, or someone else holds it.
   *
   * Every transaction timer (due times, leases, the sweeper, the replay's pace) is read and written
   * on the app's injected clock, `at` here and below, never on PostgreSQL's `now()`: a due time
   * written from one clock and compared with another would fire early or never when they differ.
   */
  abstract claimAttempt(id: string, leaseMs: number, at: Date): Promise<Transaction | null>;

  /**
   * The oldest waiting stored transaction of the agency (created_at, id), its attempt taken
   * (attempts + 1), but only while `owner` holds the agency's replay lease (renewed by the same
   * statement) and the stored mode allows a replay. Null when the backlog is empty or the lease is lost.
   */
  abstract claimNextReplay(agencyCode: string, owner: string, leaseMs: number, at: Date): Promise<Transaction | null>;

  /**
   * Writes `step.change` and appends `step.events` in one statement, if the row still matches
   * `step.guard`. Null when it does not (someone moved the transaction on): nothing is written.
   * Throws PROVISIONAL_REF_TAKEN when the step's provisional reference is already taken.
   */
  abstract apply(id: string, step: TransactionStep, options?: ApplyOptions): Promise<Applied | null>;

  /** Dispatchable transactions whose due time passed more than `graceMs` ago (crash recovery), of agencies not in `exceptAgencies`. */
  abstract findOverdue(graceMs: number, limit: number, at: Date, exceptAgencies?: readonly string[]): Promise<OverdueTransaction[]>;

  /** Dispatched transactions whose answer is overdue (`next_attempt_at` passed), oldest first. */
  abstract findUnanswered(limit: number, at: Date): Promise<Transaction[]>;

  /** Transactions not yet terminal, per agency and state (for GET /v1/agencies). */
  abstract openCountsByAgency(): Promise<Record<string, Partial<Record<TransactionState, number>>>>;

  /** The backlog, what left it, and what left it in the last minute before `at`. */
  abstract replayProgress(agencyCode: string, at: Date): Promise<ReplayProgress>;

  /** Per agency, the stored transactions waiting to be replayed (the backlog's partial index only: cheap enough to scrape). */
  abstract backlogByAgency(): Promise<Record<string, number>>;

  /** Cheap check (partial index) before a worker bothers taking the replay lease. */
  abstract hasBacklog(agencyCode: string): Promise<boolean>;

  /**
   * Transactions a replay request may put back in their agency's backlog (parked ones, and
   * `manual` ones outside the backlog that the paper process does not handle), matching
   * `filters`, oldest first (created_at, id), after `after`.
   */
  abstract listReplayable(filters: ReplayFilters, after: ReplayCursor | null, limit: number): Promise<Transaction[]>;

  abstract countReplayable(filters: ReplayFilters): Promise<number>;
}
