import type { AgencyAppointmentAnswer, AgencyAppointmentRequest } from '../../contracts/src/appointments';

/** The agency could not answer (down, timeout, breaker open, …): no decision was made there. */
export interface AgencyUnreachable {
  kind: 'transient';
  code: string;
  reason: string;
}

/**
 * Agencies' own appointment systems, as the core sees them (implemented over the adapter
 * registry in the gateway: core never imports adapters). Calls never throw.
 */
export abstract class AgencyAppointmentSystem {
  /** The agency whose appointment system holds bookings of this service; undefined when Kiungo's alone do. */
  abstract agencyFor(serviceCode: string): string | undefined;

  abstract reserve(agencyCode: string, request: AgencyAppointmentRequest): Promise<AgencyAppointmentAnswer | AgencyUnreachable>;

  abstract cancel(agencyCode: string, agencyRef: string): Promise<{ kind: 'cancelled' } | AgencyUnreachable>;
}
