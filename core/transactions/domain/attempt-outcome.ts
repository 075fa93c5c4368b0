import type { AgencyOutcome } from '../../../contracts/src/dispatch';
import type { RetryPolicy } from '../../../contracts/src/catalogue.types';
import { retryDelayMs } from '../../queue/backoff';
import type { TransactionError, TransactionState } from './transaction';

/** What one attempt at the agency means for the transaction: the next state and what to keep. */
export type AttemptDecision =
  | { state: 'completed'; agencyRef: string; result: Record<string, unknown> | null }
  | { state: 'rejected'; error: TransactionError }
  | { state: 'dispatched' }
  | { state: 'retrying'; error: TransactionError; retryInMs: number }
  | { state: 'manual'; error: TransactionError };

export function decideAfterAttempt(
  outcome: AgencyOutcome,
  attempt: number,
  maxAttempts: number,
  retry: RetryPolicy,
  random: () => number = Math.random,
): AttemptDecision {
  switch (outcome.kind) {
    case 'accepted':
      return { state: 'completed', agencyRef: outcome.agencyRef, result: outcome.result ?? null };
    case 'rejected':
      return { state: 'rejected', error: { code: outcome.code, reason: outcome.reason } };
    case 'pending':
      return { state: 'dispatched' };
    case 'transient': {
      const error = { code: outcome.code, reason: outcome.reason };
      if (attempt >= maxAttempts) {
        return { state: 'manual', error: { code: 'attempts_exhausted', reason: `${attempt} attempts failed; last: ${outcome.reason}` } };
      }
      const retryInMs = Math.max(retryDelayMs(attempt, retry, random), outcome.retryAfterMs ?? 0);
      return { state: 'retrying', error, retryInMs };
    }
  }
}

export function isFinalForCaller(state: TransactionState): boolean {
  return state === 'completed' || state === 'rejected';
}
