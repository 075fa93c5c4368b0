/**
 * The contract between the core and the agency adapters: what the core asks of an
 * agency and the only outcomes it understands. Vendor shapes (HTTP statuses, SOAP
 * faults, file names) stop inside the adapters; they map to one of these.
 */
export interface AgencyRequest {
  /** Kiungo's transaction id; sent to the agency as its idempotency / correlation key. */
  transactionId: string;
  serviceCode: string;
  /** The adapter operation for this service (path, SOAP operation, file type), from the agency file. */
  operation?: string;
  /** The citizen's request, already valid against the service's request schema. */
  payload: Record<string, unknown>;
  /** 1 for the first attempt. */
  attempt: number;
  correlationId?: string;
}

export type AgencyOutcome =
  /** The agency accepted the application and gave its own reference. */
  | { kind: 'accepted'; agencyRef: string; result?: Record<string, unknown> }
  /**
   * The agency said no: terminal, never retried, never trips the breaker. `grounds` says whether it
   * refused the application on its merits (absent: the usual case) or could not read our request
   * (a bare client-error status, a code that says the request was malformed): a person should look
   * at those before anything is sent again.
   */
  | { kind: 'rejected'; code: string; reason: string; grounds?: RejectionGrounds }
  /**
   * Handed over; the answer comes later (file drop). Without an answer within
   * `answerTimeoutMs` (default: the core's), the attempt counts as timed out and is retried.
   */
  | { kind: 'pending'; handedOverAt: string; answerTimeoutMs?: number }
  /** Worth retrying: transport error, 5xx, timeout, breaker open, bulkhead full, rate limited, or a configuration fault of ours. */
  | {
      kind: 'transient';
      code: TransientCode;
      reason: string;
      /** The earliest a retry could succeed (breaker reset, agency Retry-After); retries wait at least this long. */
      retryAfterMs?: number;
      /**
       * Nothing was sent: refused by one of our own guards before any call (breaker, rate limiter,
       * bulkhead), or by our configuration. The code alone does not say it: an agency's own 429 is
       * `rate_limited` too, and was sent.
       */
      notSent?: true;
    };

export type RejectionGrounds = 'merits' | 'malformed-request';

export type TransientCode =
  | 'timeout'
  | 'unavailable'
  | 'breaker_open'
  | 'bulkhead_full'
  | 'rate_limited'
  | 'misconfigured'
  | 'bad_response';

export type BreakerState = 'closed' | 'open' | 'half_open';

/**
 * Whether a background call to an agency (a retry) should start now, asked before the worker
 * claims the transaction, so that a call its own breaker would refuse costs nothing:
 * - `go`: the breaker is closed, or half-open and this caller is its trial (one place, held until
 *   `done()`, which the caller calls once, whether or not it made the call);
 * - `wait`: the breaker is open (`retryAfterMs`: until its next trial), or half-open with its trial
 *   already in flight (`retryAfterMs`: one reset period, by which the trial has ended).
 */
export type CallAdmission = { kind: 'go'; done(): void } | { kind: 'wait'; retryAfterMs: number };

export interface AgencyHealth {
  up: boolean;
  latencyMs: number;
  detail?: string;
}
