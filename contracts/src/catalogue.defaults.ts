/**
 * What an agency gets for every resilience and retry setting its file leaves out. The same
 * values appear as `default` annotations in agency-file.v1.json (for editors and docs); a
 * spec keeps the two in step.
 */
import type { AgencyFile, ServiceEntry } from './agency-file.types';
import type { ResiliencePolicy, RetryPolicy } from './catalogue.types';

/**
 * The largest answer any adapter reads from an agency: a REST body, a SOAP envelope (WS-Security
 * headers add a few KB at most) and, unless its agency file sets `maxAnswerBytes`, a file-drop
 * answer file. Answers are a few hundred bytes; one past this is a fault (`bad_response`), not a
 * result, and the rest of it is not read.
 */
export const MAX_AGENCY_ANSWER_BYTES = 1024 * 1024;

export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({ maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 300000 });

export const DEFAULT_RESILIENCE: Readonly<ResiliencePolicy> = Object.freeze({
  timeoutMs: 5000,
  inlineTimeoutMs: 3000,
  concurrency: 32,
  queueLimit: 256,
  rateLimit: Object.freeze({ perSecond: 500, burst: 100 }),
  breaker: Object.freeze({ errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeoutMs: 10000, rollingCountTimeoutMs: 10000 }),
});

export function resilienceWithDefaults(given: AgencyFile['resilience'] = {}): ResiliencePolicy {
  const d = DEFAULT_RESILIENCE;
  return {
    timeoutMs: given.timeoutMs ?? d.timeoutMs,
    inlineTimeoutMs: given.inlineTimeoutMs ?? d.inlineTimeoutMs,
    concurrency: given.concurrency ?? d.concurrency,
    queueLimit: given.queueLimit ?? d.queueLimit,
    rateLimit: {
      perSecond: given.rateLimit?.perSecond ?? d.rateLimit.perSecond,
      burst: given.rateLimit?.burst ?? d.rateLimit.burst,
    },
    breaker: {
      errorThresholdPercentage: given.breaker?.errorThresholdPercentage ?? d.breaker.errorThresholdPercentage,
      volumeThreshold: given.breaker?.volumeThreshold ?? d.breaker.volumeThreshold,
      resetTimeoutMs: given.breaker?.resetTimeoutMs ?? d.breaker.resetTimeoutMs,
      rollingCountTimeoutMs: given.breaker?.rollingCountTimeoutMs ?? d.breaker.rollingCountTimeoutMs,
    },
  };
}

/** The agency's retry is the defaults overridden by the file; a service's is the agency's overridden by the service's. */
export function retryWithOverrides(base: Readonly<RetryPolicy>, override: Partial<RetryPolicy> = {}): RetryPolicy {
  return {
    maxAttempts: override.maxAttempts ?? base.maxAttempts,
    baseDelayMs: override.baseDelayMs ?? base.baseDelayMs,
    maxDelayMs: override.maxDelayMs ?? base.maxDelayMs,
  };
}

/** Every service may end up in `manual` (retries exhausted), so every service has instructions for the officer. */
export function manualInstructionsFor(agencyName: string, service: ServiceEntry): string {
  return (
    service.manualInstructions ??
    `Use the ${agencyName} paper process for "${service.name}", then record the outcome and the agency's reference against this transaction.`
  );
}
