import type { BreakerState } from '../../contracts/src/dispatch';

/**
 * What the core needs to know of an agency's live condition. The gateway binds it to the
 * adapters' registry (breaker transitions, health check); the core never imports adapters.
 */
export abstract class AgencyHealthProbe {
  /** When this process saw the agency's breaker open (null while closed or half-open). */
  abstract breakerOpenSince(agencyCode: string): Date | null;
  /**
   * True while the breaker refuses calls outright. Half-open is not open: the next call is the
   * trial, and a replay may be it (otherwise an agency with no other traffic never recovers).
   */
  abstract breakerOpen(agencyCode: string): boolean;
  /** The breaker as this process sees it (the operations view). */
  abstract breakerState(agencyCode: string): BreakerState;
  /** The agency's own health check. */
  abstract healthy(agencyCode: string): Promise<boolean>;
}
