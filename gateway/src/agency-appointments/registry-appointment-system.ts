import type { AgencyAppointmentAnswer, AgencyAppointmentRequest } from '../../../contracts/src/appointments';
import type { Catalogue } from '../../../contracts/src/catalogue';
import type { AgencyRegistry } from '../../../adapters/registry';
import { AgencyAppointmentSystem, type AgencyUnreachable } from '../../../core/agency-appointments/agency-appointment-system.port';

/** Agencies' appointment systems through the adapter registry: the same breaker, bulkhead and deadline as submissions. */
export class RegistryAppointmentSystem extends AgencyAppointmentSystem {
  constructor(
    private readonly registry: AgencyRegistry,
    private readonly catalogue: Pick<Catalogue, 'service'>,
  ) {
    super();
  }

  agencyFor(serviceCode: string): string | undefined {
    const agencyCode = this.catalogue.service(serviceCode)?.agencyCode;
    if (!agencyCode || !this.registry.has(agencyCode)) return undefined;
    return this.registry.agency(agencyCode).hasAppointments ? agencyCode : undefined;
  }

  reserve(agencyCode: string, request: AgencyAppointmentRequest): Promise<AgencyAppointmentAnswer | AgencyUnreachable> {
    // The citizen is waiting (HTTP or USSD): one inline attempt; the worker retries pending ones.
    return this.registry.agency(agencyCode).reserveAppointment(request, { inline: true });
  }

  cancel(agencyCode: string, agencyRef: string): Promise<{ kind: 'cancelled' } | AgencyUnreachable> {
    return this.registry.agency(agencyCode).cancelAppointment(agencyRef, { inline: true });
  }
}
