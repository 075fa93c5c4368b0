/**
 * The service catalogue as the rest of Kiungo sees it, loaded from a catalogue
 * directory of agency folders (`<dir>/<agency>/agency.json` + schemas + fixtures).
 */
export type FallbackPolicy = 'store-and-forward' | 'manual' | 'reject';

export interface RetryPolicy {
  /** Attempts in all, the inline one included; then the transaction goes to `manual`. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface BreakerPolicy {
  /** Percentage of failed calls in the rolling window that opens the breaker. */
  errorThresholdPercentage: number;
  /** Minimum calls in the window before the breaker may open. */
  volumeThreshold: number;
  /** How long the breaker stays open before one trial call (half-open). */
  resetTimeoutMs: number;
  rollingCountTimeoutMs: number;
}

export interface ResiliencePolicy {
  /** Per-call timeout for background (retry) calls. */
  timeoutMs: number;
  /** Shorter timeout for the one inline attempt made while the caller waits. */
  inlineTimeoutMs: number;
  /** Bulkhead: calls in flight to this agency at once. */
  concurrency: number;
  /** Calls waiting for a bulkhead slot before new ones fail fast. */
  queueLimit: number;
  rateLimit: { perSecond: number; burst: number };
  breaker: BreakerPolicy;
}

export interface ReplayPolicy {
  /** Stored transactions replayed per second when the agency is back. */
  perSecond: number;
  /** In `auto`, a breaker open longer than this makes the agency `degraded` (services fall back). */
  degradedAfterMs: number;
  /** Failed replays of one stored transaction (agency otherwise healthy) before it is parked. */
  maxFailures: number;
}

export const DEFAULT_REPLAY: ReplayPolicy = { perSecond: 20, degradedAfterMs: 60_000, maxFailures: 5 };

export interface ServiceDefinition {
  code: string;
  name: string;
  description: string;
  agencyCode: string;
  /** Schema `$id`s, resolvable through the ContractValidator. */
  requestSchemaId: string;
  responseSchemaId: string;
  /** Adapter-specific operation description (REST method/path, SOAP operation, file type); opaque outside adapters. */
  operation: Record<string, unknown>;
  fallback: FallbackPolicy;
  /** Shown to the officer when the paper process must be used. */
  manualInstructions: string;
  bookable: boolean;
  /**
   * Whether a call files an application at the agency (default true). A lookup (an ID or licence
   * check) files nothing: the agency answers the same question with the same reference, which is
   * then no sign of a duplicate application.
   */
  createsApplication: boolean;
  /** Days after a transaction ends (or a booked slot passes) that its personal data is kept; undefined: KIUNGO_RETENTION_DAYS. */
  retentionDays?: number;
  feeKes: number;
  retry: RetryPolicy;
}

export interface AgencyDefinition {
  code: string;
  name: string;
  /** `{ kind: 'rest' | 'soap' | 'file-drop', ...connection }`; validated by the agency file schema. */
  adapter: { kind: string } & Record<string, unknown>;
  resilience: ResiliencePolicy;
  retry: RetryPolicy;
  /** Manual fallback: replay rate and when an open breaker makes the agency `degraded` (defaults filled by the loader). */
  replay?: ReplayPolicy;
  services: ServiceDefinition[];
  /** Absolute path of the agency file, for error messages. */
  sourceFile: string;
  /** Absolute path of the agency folder (WSDLs and other files are relative to it). */
  folder: string;
}
