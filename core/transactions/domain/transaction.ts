import type { NewAuditEvent } from '../../audit/audit-event';

/**
 * A transaction: one citizen request for one service, from any channel (DESIGN.md "The transaction").
 *
 *   received ──dispatch──> completed | rejected | dispatched (answer comes later)
 *       └─(transient)─> retrying ──> … ──> completed | rejected
 *                           └─(attempts exhausted, or agency in manual mode)─> manual
 *   manual ──(replay)──> completed | rejected;   manual ──(officer)──> completed_manually
 *   any non-terminal ──(cancel)──> cancelled
 *   manual ──(replay needs a human: malformed, mapping error)──> parked ──(replay again)──> manual
 *   completed | completed_manually ──(the other side also happened)──> conflict ──(manager)──> resolved
 */
export const TRANSACTION_STATES = [
  'received',
  'dispatched',
  'retrying',
  'completed',
  'rejected',
  'manual',
  'completed_manually',
  'cancelled',
  'parked',
  'conflict',
] as const;

export type TransactionState = (typeof TRANSACTION_STATES)[number];

export const TERMINAL_STATES: ReadonlySet<TransactionState> = new Set(['completed', 'rejected', 'completed_manually', 'cancelled']);

/** States in which the worker may (re)try the agency. */
export const DISPATCHABLE_STATES: readonly TransactionState[] = ['received', 'retrying'];

const TRANSITIONS: Record<TransactionState, readonly TransactionState[]> = {
  received: ['dispatched', 'retrying', 'completed', 'rejected', 'manual', 'cancelled'],
  retrying: ['dispatched', 'retrying', 'completed', 'rejected', 'manual', 'cancelled'],
  dispatched: ['retrying', 'completed', 'rejected', 'manual', 'cancelled'],
  manual: ['retrying', 'dispatched', 'completed', 'rejected', 'completed_manually', 'cancelled', 'parked'],
  parked: ['manual', 'completed_manually', 'cancelled'],
  completed: ['conflict'],
  // A replayed outcome and a paper outcome that both exist: a manager reconciles them.
  rejected: ['conflict'],
  completed_manually: ['conflict'],
  cancelled: [],
  // Left only by a manager's resolution (guarded on `conflict` itself), never by an agency answer.
  conflict: [],
};

export function canTransition(from: TransactionState, to: TransactionState): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * States from which `to` may be reached; used as the guard of a conditional UPDATE. One frozen list
 * per state, made once: every outcome's step takes one, and a frozen list's parameter text is
 * written once too (core/db textArrayParam; issue 13).
 */
export function statesLeadingTo(to: TransactionState): readonly TransactionState[] {
  return LEADING_TO[to];
}

const LEADING_TO = Object.fromEntries(
  TRANSACTION_STATES.map((to) => [to, Object.freeze(TRANSACTION_STATES.filter((from) => canTransition(from, to)))]),
) as Record<TransactionState, readonly TransactionState[]>;

/** The caller has its answer: the agency said yes or no (200); anything else is still in progress (202). */
export function isFinalForCaller(state: TransactionState): boolean {
  return state === 'completed' || state === 'rejected';
}

export const CHANNELS = ['counter', 'portal', 'mobile', 'ussd', 'call-centre', 'outreach', 'kiosk'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Citizen {
  idNumber: string;
  phone?: string;
  name?: string;
}

export interface TransactionError {
  code: string;
  reason: string;
}

/** The fallback policy that took a transaction while its agency was not in `auto`. */
export type AppliedFallback = 'store-and-forward' | 'manual';

/** What an officer recorded from the paper process. */
export interface ManualOutcome {
  outcome: 'completed' | 'rejected';
  agencyRef: string | null;
  note: string | null;
  by: string;
  at: string;
}

/** Why a replay needs a person before anything is sent again. */
export interface ParkedReason {
  code: string;
  reason: string;
  at: string;
}

export interface ConflictRecord {
  /** What the agency said (on replay, or for a reference it gave twice). */
  agency: { agencyRef: string | null; outcome: string; at: string };
  /** What the officer recorded (absent when the conflict is a reference the agency gave twice). */
  manual?: ManualOutcome;
  /** The agency gave this transaction's reference to another of ours too (named here, with why). */
  duplicateOf?: { transactionId: string; agencyRef: string; reason: string };
  resolution?: { decision: 'keep-agency' | 'keep-manual'; note: string | null; by: string; at: string };
}

/**
 * The transaction aggregate as stored: its lifecycle and, when its agency was not in `auto`, the
 * manual-fallback facts. Personal data stays sealed until a use case opens it.
 */
export interface Transaction {
  id: string;
  serviceCode: string;
  agencyCode: string;
  channel: Channel;
  centreCode: string | null;
  officerId: string | null;
  submittedBy: string;
  /** The OAuth client (token `azp`) that submitted it: which channel application called. */
  channelClient: string | null;
  citizenIdHash: string;
  citizenSealed: Buffer;
  payloadSealed: Buffer;
  /** The data key both are sealed under, as stored (core/shared/personal-data.ts); null once destroyed, or for a row sealed before per-record keys. */
  dataKeySealed: Buffer | null;
  state: TransactionState;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: Date | null;
  agencyRef: string | null;
  result: Record<string, unknown> | null;
  lastError: TransactionError | null;
  idempotencyScope: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  /** Which fallback policy took it (null: it went the normal way). */
  fallback: AppliedFallback | null;
  /** Printed on the citizen's acknowledgment, e.g. NRB-7K4Q-2P. */
  provisionalRef: string | null;
  /** Waiting in its agency's store-and-forward backlog. */
  replayPending: boolean;
  /** When a replay's outcome was recorded. */
  replayedAt: Date | null;
  manualOutcome: ManualOutcome | null;
  parkedReason: ParkedReason | null;
  conflict: ConflictRecord | null;
  /** Failed replays while the agency was otherwise healthy; past the agency's limit it is parked. */
  replayFailures: number;
  /** Attempts our own breaker refused without calling the agency: they do not count against `maxAttempts`. */
  breakerRefusals: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What is recorded before any agency call: the creator claims the first attempt (it dispatches inline). */
export type NewTransaction = Omit<
  Transaction,
  | 'agencyRef'
  | 'result'
  | 'lastError'
  | 'replayedAt'
  | 'manualOutcome'
  | 'parkedReason'
  | 'conflict'
  | 'replayFailures'
  | 'breakerRefusals'
  | 'createdAt'
  | 'updatedAt'
> & {
  /** The inline attempt's error when it was decided before recording (the agency's breaker was open). */
  lastError?: TransactionError | null;
  /** Refusals of our own breaker already counted when recording (see lastError). */
  breakerRefusals?: number;
};

/** What one step of the lifecycle writes. A field left out keeps its stored value. */
export interface TransactionChange {
  state: TransactionState;
  agencyRef?: string;
  result?: Record<string, unknown>;
  lastError?: TransactionError | null;
  nextAttemptAt?: Date | null;
  fallback?: AppliedFallback;
  /** Given when a transaction joins the backlog without one (its attempts ran out, its agency went down). */
  provisionalRef?: string;
  replayPending?: boolean;
  replayFailures?: number;
  breakerRefusals?: number;
  /** The replay's outcome is recorded now (`replayedAt`). */
  replayed?: true;
  parkedReason?: ParkedReason | null;
  manualOutcome?: ManualOutcome;
  conflict?: ConflictRecord;
}

/**
 * The stored facts a step was decided on, and that must still hold when it is written: the guard
 * of the conditional UPDATE. Whoever moved the transaction on meanwhile wins; the step writes nothing.
 */
export interface ChangeGuard {
  states: readonly TransactionState[];
  /** The attempt the outcome answers (an older attempt's late answer changes nothing). */
  attempt?: number;
  replayPending?: boolean;
  agencyCode?: string;
  agencyRef?: string;
  manualOutcome?: 'absent' | 'present';
}

/** One step of the lifecycle: a change, when it may apply, and its audit events (one statement). */
export interface TransactionStep {
  guard: ChangeGuard;
  change: TransactionChange;
  events: NewAuditEvent[];
}

/**
 * A new transaction as its recorded row stands, at `at` (no need to read it back). Every field is
 * written out: `{ ...tx, agencyRef, … }` (a spread, then fields the source lacks) took V8 (Node 20)
 * a fresh hidden-class transition per added field on every call, ~2 % of the api's CPU on the
 * breaker-open submit, which builds two of these (issue 13).
 */
export function asRecorded(tx: NewTransaction, at: Date): Transaction {
  return {
    id: tx.id,
    serviceCode: tx.serviceCode,
    agencyCode: tx.agencyCode,
    channel: tx.channel,
    centreCode: tx.centreCode,
    officerId: tx.officerId,
    submittedBy: tx.submittedBy,
    channelClient: tx.channelClient,
    citizenIdHash: tx.citizenIdHash,
    citizenSealed: tx.citizenSealed,
    payloadSealed: tx.payloadSealed,
    dataKeySealed: tx.dataKeySealed,
    state: tx.state,
    attempts: tx.attempts,
    maxAttempts: tx.maxAttempts,
    nextAttemptAt: tx.nextAttemptAt,
    idempotencyScope: tx.idempotencyScope,
    idempotencyKey: tx.idempotencyKey,
    requestHash: tx.requestHash,
    fallback: tx.fallback,
    provisionalRef: tx.provisionalRef,
    replayPending: tx.replayPending,
    agencyRef: null,
    result: null,
    lastError: tx.lastError ?? null,
    replayedAt: null,
    manualOutcome: null,
    parkedReason: null,
    conflict: null,
    replayFailures: 0,
    breakerRefusals: tx.breakerRefusals ?? 0,
    createdAt: at,
    updatedAt: at,
  };
}

/** The transaction as `change`, written at `at`, leaves it (what the guarded UPDATE stores). */
export function afterChange(tx: Transaction, change: TransactionChange, at: Date): Transaction {
  const next: Transaction = { ...tx, state: change.state, updatedAt: at };
  if (change.agencyRef !== undefined) next.agencyRef = change.agencyRef;
  if (change.result !== undefined) next.result = change.result;
  if (change.lastError !== undefined) next.lastError = change.lastError;
  if (change.nextAttemptAt !== undefined) next.nextAttemptAt = change.nextAttemptAt;
  if (change.fallback !== undefined) next.fallback = change.fallback;
  if (change.replayPending !== undefined) next.replayPending = change.replayPending;
  if (change.provisionalRef !== undefined) next.provisionalRef = change.provisionalRef;
  if (change.replayFailures !== undefined) next.replayFailures = change.replayFailures;
  if (change.breakerRefusals !== undefined) next.breakerRefusals = change.breakerRefusals;
  if (change.replayed) next.replayedAt = at;
  if (change.parkedReason !== undefined) next.parkedReason = change.parkedReason;
  if (change.manualOutcome !== undefined) next.manualOutcome = change.manualOutcome;
  if (change.conflict !== undefined) next.conflict = change.conflict;
  return next;
}
