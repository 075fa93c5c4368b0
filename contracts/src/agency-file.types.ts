/**
 * An agency file as written by its authors, after it has passed agency-file.v1.json:
 * optional fields still optional. The loader turns it into an AgencyDefinition with defaults.
 */
import type { BreakerPolicy, FallbackPolicy, RetryPolicy } from './catalogue.types';

export interface AgencyFile {
  code: string;
  name: string;
  adapter: { kind: string } & Record<string, unknown>;
  resilience?: {
    timeoutMs?: number;
    inlineTimeoutMs?: number;
    concurrency?: number;
    queueLimit?: number;
    rateLimit?: { perSecond?: number; burst?: number };
    breaker?: Partial<BreakerPolicy>;
  };
  retry?: Partial<RetryPolicy>;
  services: ServiceEntry[];
}

export interface ServiceEntry {
  code: string;
  name: string;
  description: string;
  /** Schema file paths, relative to the agency folder. */
  request: string;
  response: string;
  operation: Record<string, unknown>;
  fallback: FallbackPolicy;
  manualInstructions?: string;
  bookable: boolean;
  createsApplication?: boolean;
  retentionDays?: number;
  feeKes: number;
  retry?: Partial<RetryPolicy>;
}
