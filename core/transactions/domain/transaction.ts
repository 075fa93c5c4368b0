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

/** States from which `to` may be reached; used as the guard of a conditional UPDATE. */
export function statesLeadingTo(to: TransactionState): TransactionState[] {
  return TRANSACTION_STATES.filter((from) => canTransition(from, to));
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

/** A transaction as stored: personal data stays sealed until a use case opens it. */
export interface TransactionRecord {
  id: string;
  serviceCode: string;
  agencyCode: string;
  channel: Channel;
  centreCode: string | null;
  officerId: string | null;
  submittedBy: string;
  citizenIdHash: string;
  citizenSealed: Buffer;
  payloadSealed: Buffer;
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
  createdAt: Date;
  updatedAt: Date;
}
