/**
 * The opossum circuit breaker of one agency, and the mapping of its state to ours.
 *
 * The breaker runs whatever work it is given (`fire(work)` → `work()`), so submissions and
 * status look-ups share one breaker. Only THROWN errors count as failures: adapters throw
 * `AgencyCallError` for transport errors, timeouts, 5xx and misconfiguration, and return
 * business rejections, which therefore count as successes (the agency is working: it said no).
 * Timeouts are ours (see deadline.ts), not opossum's: its single breaker-wide timeout cannot
 * tell an inline call from a background one.
 */
import CircuitBreaker from 'opossum';
import type { BreakerPolicy } from '../../contracts/src/catalogue.types';
import type { BreakerState } from '../../contracts/src/dispatch';

export type BreakerWork = () => Promise<unknown>;
export type AgencyCircuitBreaker = CircuitBreaker<[BreakerWork], unknown>;

export function createAgencyBreaker(agencyCode: string, policy: BreakerPolicy): AgencyCircuitBreaker {
  const buckets = policy.rollingCountTimeoutMs >= 100 ? 10 : 1;
  return new CircuitBreaker<[BreakerWork], unknown>((work: BreakerWork) => work(), {
    name: agencyCode,
    timeout: false,
    errorThresholdPercentage: policy.errorThresholdPercentage,
    volumeThreshold: policy.volumeThreshold,
    resetTimeout: policy.resetTimeoutMs,
    rollingCountTimeout: policy.rollingCountTimeoutMs,
    rollingCountBuckets: buckets,
    rollingPercentilesEnabled: false,
    enableSnapshots: false,
  });
}

export function breakerStateOf(breaker: AgencyCircuitBreaker): BreakerState {
  if (breaker.opened) return 'open';
  if (breaker.halfOpen) return 'half_open';
  return 'closed';
}

/** True for opossum's own fail-fast rejection (open, or half-open with the trial in flight). */
export function isBreakerRejection(error: unknown): boolean {
  return error instanceof Error && CircuitBreaker.isOurError(error) && (error as Error & { code?: string }).code === 'EOPENBREAKER';
}
