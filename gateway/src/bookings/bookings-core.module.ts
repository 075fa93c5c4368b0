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
import { CentreRepository } from '../../../core/centres/centre.repository';
import { Notifier } from '../../../core/notifications/notifier.port';
import { Clock } from '../../../core/shared/clock';
import { PersonalDataVault } from '../../../core/shared/personal-data';
import { AGENCY_APPOINTMENT_EXPORTS, agencyAppointmentProviders } from '../agency-appointments/agency-appointments.providers';
import { CentresCoreModule } from '../centres/centres-core.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { DB_POOL } from '../runtime/tokens';

const bookingProviders = [
  { provide: BookingRepository, inject: [DB_POOL, AuditLog], useFactory: (pool: Pool, audit: AuditLog) => new PgBookingRepository(pool, audit) },
  {
    provide: BookingNotices,
    inject: [Notifier, Catalogue, PersonalDataVault],
    useFactory: (notifier: Notifier, catalogue: Catalogue, vault: PersonalDataVault) => {
      const logger = new Logger('Notifier');
      return new BookingNotices(notifier, catalogue, vault, (message) => logger.warn(message));
    },
  },
  {
    provide: ListFreeSlots,
    inject: [CentreRepository, BookingRepository, Catalogue, Clock],
    useFactory: (c: CentreRepository, b: BookingRepository, catalogue: Catalogue, clock: Clock) => new ListFreeSlots(c, b, catalogue, clock),
  },
  {
    provide: BookAppointment,
    inject: [CentreRepository, BookingRepository, Catalogue, PersonalDataVault, BookingNotices, Clock, AgencyAppointmentSync],
    useFactory: (
      c: CentreRepository,
      b: BookingRepository,
      catalogue: Catalogue,
      vault: PersonalDataVault,
      n: BookingNotices,
      clock: Clock,
      sync: AgencyAppointmentSync,
    ) => new BookAppointment(c, b, catalogue, vault, n, clock, sync),
  },
  {
    provide: FindBookings,
    inject: [BookingRepository, PersonalDataVault, AuditLog, DB_POOL, Clock],
    useFactory: (b: BookingRepository, vault: PersonalDataVault, audit: AuditLog, pool: Pool, clock: Clock) => new FindBookings(b, vault, audit, pool, clock),
  },
  {
    provide: ChangeBooking,
    inject: [CentreRepository, BookingRepository, PersonalDataVault, BookingNotices, Clock, AgencyAppointmentSync],
    useFactory: (c: CentreRepository, b: BookingRepository, vault: PersonalDataVault, n: BookingNotices, clock: Clock, sync: AgencyAppointmentSync) =>
      new ChangeBooking(c, b, vault, n, clock, sync),
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
  imports: [CentresCoreModule, NotificationsModule],
  providers: [...bookingProviders, ...agencyAppointmentProviders],
  exports: [...bookingProviders.map((p) => p.provide), ...AGENCY_APPOINTMENT_EXPORTS],
})
export class BookingsCoreModule {}
