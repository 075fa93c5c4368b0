import type { Provider } from '@nestjs/common';
import type { Pool } from 'pg';
import { AgencyRegistry } from '../../../adapters/registry';
import { Catalogue } from '../../../contracts/src/catalogue';
import { AgencyAppointmentRepository } from '../../../core/agency-appointments/agency-appointment.repository';
import { AgencyAppointmentSystem } from '../../../core/agency-appointments/agency-appointment-system.port';
import { PgAgencyAppointmentRepository } from '../../../core/agency-appointments/pg/agency-appointment.pg-repository';
import { AgencyAppointmentSync } from '../../../core/agency-appointments/use-cases/agency-appointment-sync';
import { RetryAgencyAppointments } from '../../../core/agency-appointments/use-cases/retry-agency-appointments';
import { AuditLog } from '../../../core/audit/audit-log';
import { BookingRepository } from '../../../core/bookings/booking.repository';
import { ChangeBooking } from '../../../core/bookings/use-cases/change-booking';
import { Clock } from '../../../core/shared/clock';
import { DB_POOL } from '../runtime/tokens';
import { RegistryAppointmentSystem } from './registry-appointment-system';

/**
 * Agencies' own appointment systems. Part of BookingsCoreModule rather than a module of their
 * own: booking calls the sync and the sync's retry changes bookings, so they live and die together.
 */
export const agencyAppointmentProviders: Provider[] = [
  {
    provide: AgencyAppointmentSystem,
    inject: [AgencyRegistry, Catalogue],
    useFactory: (agencies: AgencyRegistry, catalogue: Catalogue) => new RegistryAppointmentSystem(agencies, catalogue),
  },
  {
    provide: AgencyAppointmentRepository,
    inject: [DB_POOL, AuditLog],
    useFactory: (pool: Pool, audit: AuditLog) => new PgAgencyAppointmentRepository(pool, audit),
  },
  {
    provide: AgencyAppointmentSync,
    inject: [AgencyAppointmentSystem, AgencyAppointmentRepository, BookingRepository, Catalogue, Clock],
    useFactory: (system: AgencyAppointmentSystem, appointments: AgencyAppointmentRepository, bookings: BookingRepository, catalogue: Catalogue, clock: Clock) =>
      new AgencyAppointmentSync(system, appointments, bookings, catalogue, clock),
  },
  {
    provide: RetryAgencyAppointments,
    inject: [AgencyAppointmentSystem, AgencyAppointmentRepository, BookingRepository, ChangeBooking, Clock],
    useFactory: (system: AgencyAppointmentSystem, appointments: AgencyAppointmentRepository, bookings: BookingRepository, change: ChangeBooking, clock: Clock) =>
      new RetryAgencyAppointments(system, appointments, bookings, change, clock),
  },
];

export const AGENCY_APPOINTMENT_EXPORTS = [AgencyAppointmentSystem, AgencyAppointmentRepository, AgencyAppointmentSync, RetryAgencyAppointments];
