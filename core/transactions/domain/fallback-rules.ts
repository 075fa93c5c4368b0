import type { EffectiveMode } from '../../agencies/domain/agency-mode';
import { statesLeadingTo, type AppliedFallback, type ManualOutcome, type Transaction, type TransactionState, type TransactionStep } from './transaction';
import { provisionalReference } from './provisional-reference';
import { transactionEvent } from './transaction-events';

/**
 * The manual-fallback rules of a transaction (DESIGN.md "Manual fallback"): what happens to it
 * while its agency is not in `auto`, and what an officer or operator may do with it then.
 */

/**
 * A background attempt for an agency that is in manual, maintenance or degraded mode is not made:
 * the transaction goes to `manual` and, for a store-and-forward service, joins the replay backlog,
 * so it reaches the agency with the rest when it is back. One step: the hold and the backlog.
 */
export function holdStep(
  tx: Transaction,
  mode: EffectiveMode,
  policy: AppliedFallback | 'reject' | undefined,
  actor: string,
  now: Date,
  drawReference: (agencyCode: string) => string = provisionalReference,
): TransactionStep {
  const error = { code: 'agency_fallback', reason: `agency in ${mode} mode: not called` };
  const events = [transactionEvent(tx.id, 'manual', actor, now, { attempt: tx.attempts, ...error, mode })];
  const joinsBacklog = policy === 'store-and-forward';
  // A reference the citizen can quote, as for one accepted under fallback (and named in the completion SMS).
  const provisionalRef = joinsBacklog && !tx.provisionalRef ? drawReference(tx.agencyCode) : undefined;
  if (joinsBacklog) events.push(transactionEvent(tx.id, 'replay_requested', actor, now, { mode, provisionalRef: provisionalRef ?? tx.provisionalRef }));
  return {
    guard: { states: statesLeadingTo('manual'), attempt: tx.attempts },
    change: {
      state: 'manual',
      lastError: error,
      nextAttemptAt: null,
      ...(joinsBacklog ? { replayPending: true, fallback: 'store-and-forward', parkedReason: null, replayFailures: 0 } : {}),
      ...(provisionalRef ? { provisionalRef } : {}),
    },
    events,
  };
}

export type ManualOutcomeStep = (TransactionStep & { kind: 'recorded' | 'conflict' }) | { kind: 'refused'; state: TransactionState };

/**
 * The officer records what the paper process gave, for a transaction in `manual` or `parked`. If
 * the replay had already reached the agency, the two outcomes are kept side by side as a
 * `conflict` for a manager: neither is overwritten.
 */
export function manualOutcomeStep(tx: Transaction, outcome: ManualOutcome, now: Date): ManualOutcomeStep {
  const data = { outcome: outcome.outcome, agencyRef: outcome.agencyRef };
  if (tx.state === 'manual' || tx.state === 'parked') {
    const to: TransactionState = outcome.outcome === 'completed' ? 'completed_manually' : 'rejected';
    return {
      kind: 'recorded',
      guard: { states: [tx.state] },
      change: {
        state: to,
        manualOutcome: outcome,
        ...(outcome.agencyRef ? { agencyRef: outcome.agencyRef } : {}),
        replayPending: false,
        nextAttemptAt: null,
        parkedReason: null,
      },
      // The note is free text an officer typed: kept on the row, not in the audit log (it may name people).
      events: [transactionEvent(tx.id, to, outcome.by, now, data)],
    };
  }
  if ((tx.state === 'completed' || tx.state === 'rejected') && tx.replayedAt && !tx.manualOutcome) {
    const agency = { agencyRef: tx.agencyRef, outcome: tx.state, at: tx.replayedAt.toISOString() };
    return {
      kind: 'conflict',
      guard: { states: [tx.state], manualOutcome: 'absent' },
      change: { state: 'conflict', manualOutcome: outcome, conflict: { agency, manual: outcome } },
      events: [transactionEvent(tx.id, 'conflict', outcome.by, now, { ...data, agencyRef: tx.agencyRef, replayedOutcome: tx.state })],
    };
  }
  return { kind: 'refused', state: tx.state };
}

export type RequeueStep = (TransactionStep & { kind: 'requeued' }) | { kind: 'refused'; reason: 'completed-manually' | 'not-replayable' };

/**
 * A parked transaction, or a `manual` one that is not in the backlog (its attempts ran out, or
 * its agency went down while it was retrying), goes back into its agency's replay backlog at its
 * original place (arrival order). Never one whose outcome was recorded by hand (it would be filed
 * twice), nor one the paper process handles (`manual` policy).
 */
export function requeueStep(tx: Transaction, actor: string, now: Date, context: Record<string, unknown> = {}): RequeueStep {
  if (tx.state === 'completed_manually') return { kind: 'refused', reason: 'completed-manually' };
  const waitsOutsideBacklog = tx.state === 'manual' && !tx.replayPending && tx.fallback !== 'manual';
  if (tx.state !== 'parked' && !waitsOutsideBacklog) return { kind: 'refused', reason: 'not-replayable' };
  return {
    kind: 'requeued',
    guard: { states: [tx.state], replayPending: false },
    change: { state: 'manual', replayPending: true, parkedReason: null, fallback: 'store-and-forward', replayFailures: 0 },
    events: [transactionEvent(tx.id, 'replay_requested', actor, now, { parkedCode: tx.parkedReason?.code ?? null, ...context })],
  };
}
