import type { AgencyOutcome, AgencyRequest } from '../../contracts/src/dispatch';

/**
 * How the core reaches an agency. The adapters' registry implements it (the gateway binds the
 * two); it never throws: every failure is an AgencyOutcome.
 */
export abstract class AgencyGateway {
  abstract dispatch(agencyCode: string, request: AgencyRequest, options: { inline: boolean }): Promise<AgencyOutcome>;
}
