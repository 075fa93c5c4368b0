import type { NewAuditEvent } from '../audit/audit-event';
import type { TransactionRecord, TransactionState } from './domain/transaction';
import type { NewTransactionRecord, StateChange } from './transaction.repository';

export type AppliedFallback = 'store-and-forward' | 'manual';

export interface ManualOutcome {
  outcome: 'completed' | 'rejected';
  agencyRef: string | null;
  note: string | null;
  by: string;
  at: string;
}

export interface ConflictRecord {
  /** What the replay (the agency) said. */
  agency: { agencyRef: string | null; outcome: string; at: string };
  /** What the officer recorded (absent when the conflict is a reference the agency gave twice). */
  manual?: ManualOutcome;
  /** The agency gave this transaction's reference to another of ours too (named here, with why). */
  duplicateOf?: { transactionId: string; agencyRef: string; reason: string };
  resolution?: { decision: string; note: string | null; by: string; at: string };
}

/** The manual-fallback facts kept on a transaction beside its core record. */
export interface FallbackFacts {
  fallback: AppliedFallback | null;
  provisionalRef: string | null;
  replayPending: boolean;
  replayedAt: Date | null;
  manualOutcome: ManualOutcome | null;
  parkedReason: { code: string; reason: string; at: string } | null;
  conflict: ConflictRecord | null;
}

export interface FallbackTransaction {
  record: TransactionRecord;
  facts: FallbackFacts;
}

export interface ReplayProgress {
  /** Stored transactions still waiting to be replayed. */
  backlog: number;
  /** Stored transactions whose replay reached the agency. */
  replayed: number;
  /** Stored transactions parked for a human. */
  failed: number;
}

export interface ListFilter {
  state: TransactionState;
  agencyCode?: string;
  serviceCode?: string;
  reasonCode?: string;
  /** Opaque cursor from the previous page. */
  after?: { createdAt: Date; id: string };
  limit: number;
}

export type ReplayResult =
  /**
   * The replay's outcome was recorded. `noticeRecorded`: the change completed the transaction and
   * its citizen notice was recorded by the same statement (so the caller sends it).
   */
  | { kind: 'applied'; row: FallbackTransaction; noticeRecorded?: boolean }
  /** Meanwhile an officer recorded a manual outcome: flagged conflict. */
  | { kind: 'conflict'; row: FallbackTransaction }
  /** Someone else moved the transaction on; nothing written. */
  | { kind: 'moved' };

export type ManualOutcomeResult = { kind: 'recorded' | 'conflict'; row: FallbackTransaction } | { kind: 'refused'; state: TransactionState };

/** Storage of the manual-fallback side of transactions (pg implementation in ./pg). */
export abstract class FallbackRepository {
  /**
   * Records a transaction accepted by a fallback policy (state `manual`) with its events, in one
   * statement. `provisional-ref-taken` when the reference collided (the caller draws another).
   */
  abstract insertFallback(
    record: NewTransactionRecord,
    facts: { fallback: AppliedFallback; provisionalRef: string; replayPending: boolean },
    events: NewAuditEvent[],
  ): Promise<{ kind: 'created' | 'existing'; row: TransactionRecord } | { kind: 'provisional-ref-taken' }>;

  abstract find(id: string): Promise<FallbackTransaction | null>;

  /**
   * The oldest waiting stored transaction of the agency (created_at, id), its attempt taken
   * (attempts + 1), but only while `owner` holds the agency's replay lease (renewed by the same
   * statement). Null when the backlog is empty or the lease is lost.
   */
  abstract claimNextReplay(agencyCode: string, owner: string, leaseMs: number): Promise<TransactionRecord | null>;

  /**
   * Applies a replay's outcome if attempt `attempt` is still current and the row is `manual`.
   * With `notice`, a change to `completed` also records the citizen notice (once per transaction
   * and kind) in the same statement: a process killed right after the commit loses no notice.
   */
  abstract applyReplay(
    id: string,
    attempt: number,
    change: StateChange & { keepPending: boolean; parkedReason?: FallbackFacts['parkedReason'] },
    events: NewAuditEvent[],
    notice?: { kind: string; phoneSealed: Buffer | null },
  ): Promise<ReplayResult>;

  /** When applyReplay found a manual outcome already recorded: turns it into a conflict. */
  abstract flagConflictFromReplay(id: string, agency: ConflictRecord['agency'], event: NewAuditEvent): Promise<FallbackTransaction | null>;

  abstract recordManualOutcome(id: string, outcome: ManualOutcome, event: NewAuditEvent): Promise<ManualOutcomeResult>;

  /** parked → manual, back in the replay backlog (at its original place: arrival order). */
  abstract requeue(id: string, event: NewAuditEvent): Promise<FallbackTransaction | null>;

  abstract list(filter: ListFilter): Promise<FallbackTransaction[]>;

  abstract progress(agencyCode: string): Promise<ReplayProgress>;

  /** Cheap check (partial index) before a worker bothers taking the replay lease. */
  abstract hasBacklog(agencyCode: string): Promise<boolean>;

  abstract resolveConflict(id: string, state: TransactionState, resolution: NonNullable<ConflictRecord['resolution']>, event: NewAuditEvent): Promise<FallbackTransaction | null>;

  /** Records a citizen notice once per transaction and kind; false when it already existed. */
  abstract recordNotice(transactionId: string, kind: string, agencyRef: string | null, phoneSealed: Buffer | null): Promise<boolean>;
}
