import type { Transaction, TransactionState } from './transaction';

/**
 * Where a citizen's application stands, in the citizen's words: what a receipt check, the USSD
 * menu and the SMS keyword answer (issue 14). Built from the transaction alone and carrying no
 * personal data: a reference reveals only its own status.
 */
export const APPLICATION_STATUSES = [
  'received',
  'waiting-for-agency',
  'submitted',
  'completed',
  'ready-for-collection',
  'rejected',
  'cancelled',
  'under-review',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export interface ApplicationProgress {
  status: ApplicationStatus;
  /** The agency's reference, once it has one (or the one an officer recorded from the paper process). */
  agencyReference: string | null;
  /** Why it was rejected: the agency's (or the officer's) code, never its free text, which may name the citizen. */
  reason: string | null;
  /** From when the document can be collected (YYYY-MM-DD), when the agency said. */
  collectionDate: string | null;
  updatedAt: string;
}

const BY_STATE: Record<TransactionState, ApplicationStatus> = {
  received: 'received',
  dispatched: 'submitted',
  retrying: 'waiting-for-agency',
  manual: 'waiting-for-agency',
  parked: 'waiting-for-agency',
  completed: 'completed',
  completed_manually: 'completed',
  rejected: 'rejected',
  cancelled: 'cancelled',
  conflict: 'under-review',
};

/** `today` is the local date (YYYY-MM-DD, Africa/Nairobi) from the injected clock. */
export function applicationProgress(tx: Transaction, today: string): ApplicationProgress {
  let status = BY_STATE[tx.state];
  const collection = tx.result?.collectionDate;
  const collectionDate = status === 'completed' && typeof collection === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(collection) ? collection : null;
  if (collectionDate !== null && collectionDate <= today) status = 'ready-for-collection';
  const completed = status === 'completed' || status === 'ready-for-collection';
  return {
    status,
    agencyReference: completed ? (tx.agencyRef ?? tx.manualOutcome?.agencyRef ?? null) : null,
    reason: status === 'rejected' ? (tx.lastError?.code ?? (tx.manualOutcome ? 'rejected-on-paper' : 'rejected')) : null,
    collectionDate,
    updatedAt: tx.updatedAt.toISOString(),
  };
}
