import type { Provider } from '@nestjs/common';
import { BookingRepository } from '../../../core/bookings/booking.repository';
import { ChangeBooking } from '../../../core/bookings/use-cases/change-booking';
import { AgencyAppointmentRepository } from '../../../core/agency-appointments/agency-appointment.repository';
import { AgencyAppointmentSystem } from '../../../core/agency-appointments/agency-appointment-system.port';
import { PgAgencyAppointmentRepository } from '../../../core/agency-appointments/pg/agency-appointment.pg-repository';
import { AgencyAppointmentSync } from '../../../core/agency-appointments/use-cases/agency-appointment-sync';
import { RetryAgencyAppointments } from '../../../core/agency-appointments/use-cases/retry-agency-appointments';
import type { KiungoRuntime } from '../runtime/runtime';
import { RegistryAppointmentSystem } from './registry-appointment-system';

/** Agencies' own appointment systems, wired to the runtime (spread into the bookings core providers). */
export function agencyAppointmentProviders(runtime: KiungoRuntime): Provider[] {
  return [
    { provide: AgencyAppointmentSystem, useFactory: () => new RegistryAppointmentSystem(runtime.agencies, runtime.catalogue) },
    { provide: AgencyAppointmentRepository, useFactory: () => new PgAgencyAppointmentRepository(runtime.pool, runtime.audit) },
    {
      provide: AgencyAppointmentSync,
      inject: [AgencyAppointmentSystem, AgencyAppointmentRepository, BookingRepository],
      useFactory: (system: AgencyAppointmentSystem, appointments: AgencyAppointmentRepository, bookings: BookingRepository) =>
        new AgencyAppointmentSync(system, appointments, bookings, runtime.catalogue, runtime.clock),
    },
    {
      provide: RetryAgencyAppointments,
      inject: [AgencyAppointmentSystem, AgencyAppointmentRepository, BookingRepository, ChangeBooking],
      useFactory: (system: AgencyAppointmentSystem, appointments: AgencyAppointmentRepository, bookings: BookingRepository, change: ChangeBooking) =>
        new RetryAgencyAppointments(system, appointments, bookings, change, runtime.clock),
    },
  ];
}

export const AGENCY_APPOINTMENT_EXPORTS = [AgencyAppointmentSystem, AgencyAppointmentRepository, AgencyAppointmentSync, RetryAgencyAppointments];
