import type { AgencyOutcome } from '../../../contracts/src/dispatch';
import { DomainError } from '../../shared/errors';
import type { ConflictRecord, Transaction, TransactionState, TransactionStep } from './transaction';
import { SYSTEM_ACTORS, transactionEvent } from './transaction-events';

/**
 * Two outcomes for one application are never merged silently: the transaction becomes a
 * `conflict` that a manager resolves (DESIGN.md "Manual fallback", README "Manual fallback").
 */

/** Why a completed transaction was flagged: its agency reference is also another transaction's. */
export const DUPLICATE_AGENCY_REFERENCE = 'duplicate-agency-reference';

/**
 * While the replay was at the agency, an officer recorded the paper outcome: the request
 * reached it too, and both are kept. Null when there is nothing to reconcile (no manual outcome,
 * or the agency only failed).
 */
export function replayConflictStep(tx: Transaction, outcome: AgencyOutcome, now: Date): TransactionStep | null {
  if (!tx.manualOutcome || outcome.kind === 'transient') return null;
  if (tx.state !== 'completed_manually' && tx.state !== 'rejected') return null;
  const agency = {
    agencyRef: outcome.kind === 'accepted' ? outcome.agencyRef : null,
    outcome: outcome.kind === 'accepted' ? 'completed' : outcome.kind,
    at: now.toISOString(),
  };
  return {
    guard: { states: [tx.state], manualOutcome: 'present' },
    change: { state: 'conflict', replayed: true, replayPending: false, conflict: { agency, manual: tx.manualOutcome } },
    events: [
      transactionEvent(tx.id, 'conflict', SYSTEM_ACTORS.replay, now, { attempt: tx.attempts, replay: true, agencyRef: agency.agencyRef, agencyOutcome: agency.outcome }),
    ],
  };
}

/**
 * Whether a reference another transaction holds means two of ours became one application. Only
 * for a service that files applications: a lookup (an ID or licence check, `createsApplication:
 * false` in the agency file) answers the same question with the same reference, as it should.
 */
export function duplicateReferenceMatters(service: { createsApplication: boolean } | undefined): boolean {
  return service?.createsApplication ?? true;
}

/**
 * The agency answered a completed transaction with a reference that another of ours (`holder`)
 * already holds: it mapped two of ours to one application, or reported one twice. The newer one
 * is flagged for a manager; the earlier holder stays as it is.
 */
export function duplicateReferenceStep(tx: Transaction, holder: string, now: Date): TransactionStep | null {
  if (tx.state !== 'completed' || tx.agencyRef === null) return null;
  const reason = `The agency gave reference ${tx.agencyRef} to transaction ${holder} too.`;
  return {
    guard: { states: ['completed'], agencyRef: tx.agencyRef },
    change: {
      state: 'conflict',
      lastError: { code: DUPLICATE_AGENCY_REFERENCE, reason },
      conflict: {
        agency: { agencyRef: tx.agencyRef, outcome: 'completed', at: now.toISOString() },
        duplicateOf: { transactionId: holder, agencyRef: tx.agencyRef, reason },
      },
    },
    events: [
      transactionEvent(tx.id, 'conflict', SYSTEM_ACTORS.reconciliation, now, { code: DUPLICATE_AGENCY_REFERENCE, agencyRef: tx.agencyRef, duplicateOf: holder }),
    ],
  };
}

export type ConflictDecision = NonNullable<ConflictRecord['resolution']>['decision'];

/**
 * A manager's resolution: `keep-agency` (the agency's application is the real one; the state is
 * the replay's outcome) or `keep-manual` (the paper outcome stands). The agency-side duplicate,
 * if any, is withdrawn with the agency out of band; Kiungo never sends a second application.
 */
export function resolutionStep(tx: Transaction, decision: ConflictDecision, note: string | null, by: string, now: Date): TransactionStep {
  const conflict = tx.conflict;
  if (tx.state !== 'conflict' || !conflict) throw new DomainError('conflict', 'not-in-conflict', `Transaction ${tx.id} is not in conflict.`);
  const manual = conflict.manual;
  if (decision === 'keep-manual' && !manual) {
    // A reference the agency gave twice has no paper side: the manager settles it with the agency.
    throw new DomainError('invalid', 'validation-failed', 'The resolution is not valid; see `errors`.', {
      errors: [{ field: '/decision', message: 'this conflict has no manual outcome (a duplicated agency reference); only keep-agency applies' }],
    });
  }
  const state: TransactionState =
    decision === 'keep-agency'
      ? conflict.agency.outcome === 'completed'
        ? 'completed'
        : 'rejected'
      : manual?.outcome === 'completed'
        ? 'completed_manually'
        : 'rejected';
  const agencyRef = state === 'completed_manually' ? (tx.manualOutcome?.agencyRef ?? tx.agencyRef) : (conflict.agency.agencyRef ?? tx.agencyRef);
  return {
    guard: { states: ['conflict'] },
    change: { state, ...(agencyRef ? { agencyRef } : {}), conflict: { ...conflict, resolution: { decision, note, by, at: now.toISOString() } } },
    // The reference the resolution leaves on the row, so `verify` can hold the row to its events.
    events: [transactionEvent(tx.id, 'conflict_resolved', by, now, { decision, state, agencyRef: agencyRef ?? null })],
  };
}
