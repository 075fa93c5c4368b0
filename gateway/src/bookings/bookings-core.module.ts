import { PersonalDataReads } from '../../../core/audit/personal-data-reads';
import { Logger, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { Catalogue } from '../../../contracts/src/catalogue';
import { AgencyAppointmentSync } from '../../../core/agency-appointments/use-cases/agency-appointment-sync';
import { AuditLog } from '../../../core/audit/audit-log';
import { BookingRepository } from '../../../core/bookings/booking.repository';
import { PgBookingRepository } from '../../../core/bookings/pg/booking.pg-repository';
import { BookAppointment } from '../../../core/bookings/use-cases/book-appointment';
import { BookingJobs } from '../../../core/bookings/use-cases/booking-jobs';
import { BookingNotices } from '../../../core/bookings/use-cases/booking-notices';
import { ChangeBooking } from '../../../core/bookings/use-cases/change-booking';
import { CheckInBooking } from '../../../core/bookings/use-cases/check-in-booking';
import { FindBookings } from '../../../core/bookings/use-cases/find-booking';
import { ListFreeSlots } from '../../../core/bookings/use-cases/list-free-slots';
import { CentreCache } from '../../../core/centres/centre-cache';
import { CentreRepository } from '../../../core/centres/centre.repository';
import { Notifier } from '../../../core/notifications/notifier.port';
import { Clock } from '../../../core/shared/clock';
import { PersonalDataVault } from '../../../core/shared/personal-data';
import { AGENCY_APPOINTMENT_EXPORTS, agencyAppointmentProviders } from '../agency-appointments/agency-appointments.providers';
import { CentresCoreModule } from '../centres/centres-core.module';
import { AgencyModesModule } from '../agencies/agency-modes.module';
import { AgencyModes } from '../../../core/agencies/agency-modes';
import { AgencyMaintenanceCalendar } from '../../../core/agencies/agency-maintenance-calendar';
import type { MaintenanceCalendar } from '../../../core/bookings/maintenance-calendar';
import { BulkChangeBookings } from '../../../core/bookings/use-cases/bulk-change-bookings';

/** The agencies' maintenance windows as the bookings see them (slots inside are closed). */
const MAINTENANCE_CALENDAR = Symbol('MAINTENANCE_CALENDAR');
import { NotificationsModule } from '../notifications/notifications.module';
import { DB_POOL, PREPARED_STATEMENTS } from '../runtime/tokens';

const bookingProviders = [
  {
    provide: BookingRepository,
    inject: [DB_POOL, AuditLog, PREPARED_STATEMENTS],
    useFactory: (pool: Pool, audit: AuditLog, prepared: boolean) => new PgBookingRepository(pool, audit, prepared),
  },
  {
    provide: BookingNotices,
    inject: [Notifier, Catalogue, PersonalDataVault],
    useFactory: (notifier: Notifier, catalogue: Catalogue, vault: PersonalDataVault) => {
      const logger = new Logger('Notifier');
      return new BookingNotices(notifier, catalogue, vault, (message) => logger.warn(message));
    },
  },
  {
    provide: MAINTENANCE_CALENDAR,
    inject: [Catalogue, AgencyModes, Clock],
    useFactory: (catalogue: Catalogue, modes: AgencyModes, clock: Clock) => new AgencyMaintenanceCalendar(catalogue, modes, clock),
  },
  {
    provide: ListFreeSlots,
    inject: [CentreRepository, BookingRepository, Catalogue, Clock, MAINTENANCE_CALENDAR],
    useFactory: (c: CentreRepository, b: BookingRepository, catalogue: Catalogue, clock: Clock, maintenance: MaintenanceCalendar) =>
      new ListFreeSlots(c, b, catalogue, clock, maintenance),
  },
  {
    provide: BookAppointment,
    inject: [CentreCache, BookingRepository, Catalogue, PersonalDataVault, BookingNotices, Clock, AgencyAppointmentSync, MAINTENANCE_CALENDAR],
    useFactory: (
      c: CentreCache,
      b: BookingRepository,
      catalogue: Catalogue,
      vault: PersonalDataVault,
      n: BookingNotices,
      clock: Clock,
      sync: AgencyAppointmentSync,
      maintenance: MaintenanceCalendar,
    ) => new BookAppointment(c, b, catalogue, vault, n, clock, sync, maintenance),
  },
  {
    provide: FindBookings,
    inject: [BookingRepository, PersonalDataVault, PersonalDataReads],
    useFactory: (b: BookingRepository, vault: PersonalDataVault, reads: PersonalDataReads) => new FindBookings(b, vault, reads),
  },
  {
    provide: ChangeBooking,
    inject: [CentreRepository, CentreCache, BookingRepository, PersonalDataVault, BookingNotices, Clock, AgencyAppointmentSync, MAINTENANCE_CALENDAR],
    useFactory: (
      c: CentreRepository,
      copies: CentreCache,
      b: BookingRepository,
      vault: PersonalDataVault,
      n: BookingNotices,
      clock: Clock,
      sync: AgencyAppointmentSync,
      maintenance: MaintenanceCalendar,
    ) => new ChangeBooking(c, copies, b, vault, n, clock, sync, maintenance),
  },
  {
    provide: BulkChangeBookings,
    inject: [BookingRepository, ChangeBooking, ListFreeSlots, CentreRepository, Catalogue, AuditLog, DB_POOL, Clock, BookingNotices],
    useFactory: (
      b: BookingRepository,
      change: ChangeBooking,
      slots: ListFreeSlots,
      c: CentreRepository,
      catalogue: Catalogue,
      audit: AuditLog,
      pool: Pool,
      clock: Clock,
      notices: BookingNotices,
    ) => new BulkChangeBookings(b, change, slots, c, catalogue, (event) => audit.append(pool, event), clock, notices),
  },
  { provide: CheckInBooking, inject: [BookingRepository], useFactory: (b: BookingRepository) => new CheckInBooking(b) },
  {
    provide: BookingJobs,
    inject: [CentreRepository, BookingRepository, BookingNotices, Clock, AgencyAppointmentSync],
    useFactory: (c: CentreRepository, b: BookingRepository, n: BookingNotices, clock: Clock, sync: AgencyAppointmentSync) => new BookingJobs(c, b, n, clock, sync),
  },
];

/**
 * Service by Appointment: free slots, booking, cancel, reschedule, check-in, the no-show and
 * reminder jobs, their SMS, and the reservations at agencies that keep their own appointment systems.
 */
@Module({
  imports: [CentresCoreModule, NotificationsModule, AgencyModesModule],
  providers: [...bookingProviders, ...agencyAppointmentProviders],
  exports: [...bookingProviders.map((p) => p.provide), ...AGENCY_APPOINTMENT_EXPORTS],
})
export class BookingsCoreModule {}
