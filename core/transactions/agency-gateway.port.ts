import type { AgencyOutcome, AgencyRequest, CallAdmission } from '../../contracts/src/dispatch';

/**
 * How the core reaches an agency. The adapters' registry implements it (the gateway binds the
 * two); it never throws: every failure is an AgencyOutcome.
 */
export abstract class AgencyGateway {
  abstract dispatch(agencyCode: string, request: AgencyRequest, options: { inline: boolean }): Promise<AgencyOutcome>;

  /**
   * What a call to the agency would get right now without reaching it: the refusal of its open
   * circuit breaker (with the time of its next trial), or null when a call would go out.
   */
  abstract refusing(agencyCode: string): AgencyOutcome | null;

  /**
   * An inline submit was recorded with the refusal `refusing` gave as its attempt's outcome: told
   * to whoever watches the agency's calls (metrics, logs), as a call the breaker refused.
   */
  abstract refused(agencyCode: string, refusal: AgencyOutcome, call: { correlationId?: string; transactionId: string }): void;

  /**
   * Whether a background call (a retry) should start now: asked before the transaction is
   * claimed, so that what the breaker would refuse waits for its trial unclaimed (CallAdmission).
   */
  abstract admit(agencyCode: string): CallAdmission;

  /** The agencies whose background calls wait for their breaker's trial now (admit says `wait`). */
  abstract waitingForTrial(): string[];
}
