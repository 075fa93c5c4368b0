import type { RetryPolicy } from '../../contracts/src/catalogue.types';

/** No retry is ever scheduled sooner than this, whatever the policy or the dice say. */
export const RETRY_DELAY_FLOOR_MS = 250;

/**
 * How long to wait before the next attempt of a transaction whose attempt number `attempt`
 * (1 = the inline one) has just failed transiently.
 *
 * Full jitter: a uniform draw in [0, min(maxDelayMs, baseDelayMs * 2^(attempt-1))).
 * Chosen over decorrelated jitter because it is stateless: it needs only the attempt count,
 * which the transaction row already holds, whereas decorrelated jitter needs the previous delay
 * (another column, and a value the sweeper would have to recompute). Both spread an agency's
 * backlog equally well when it comes back (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"); full jitter does so with the fewest calls. The floor keeps a draw near zero from
 * hammering an agency that has just failed.
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be an integer >= 1, got ${attempt}`);
  }
  // 2^(attempt-1) overflows to Infinity for huge attempts; Math.min with the cap absorbs that.
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // Guard against a random() that returns exactly 1 or strays outside [0, 1).
  const draw = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  const jittered = Math.floor(draw * ceiling);
  // The floor wins over a (misconfigured) maxDelayMs below it: never retry in a tight loop.
  return Math.max(RETRY_DELAY_FLOOR_MS, jittered);
}
