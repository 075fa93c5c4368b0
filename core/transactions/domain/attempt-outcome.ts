import type { AgencyOutcome } from '../../../contracts/src/dispatch';
import type { RetryPolicy } from '../../../contracts/src/catalogue.types';
import { retryDelayMs } from '../../retry-queue/backoff';
import type { TransactionError, TransactionState } from './transaction';

/**
 * How long a handed-over request (file drop) waits for the agency's answer when its adapter names
 * no timeout; past it, the attempt counts as timed out and goes the retry/manual path.
 */
export const DEFAULT_ANSWER_TIMEOUT_MS = 15 * 60_000;

/** What one attempt at the agency means for the transaction: the next state and what to keep. */
export type AttemptDecision =
  | { state: 'completed'; agencyRef: string; result: Record<string, unknown> | null }
  | { state: 'rejected'; error: TransactionError }
  | { state: 'dispatched'; answerDueInMs: number }
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
      return { state: 'dispatched', answerDueInMs: outcome.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS };
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
