import { Inject, Injectable, Logger, type OnApplicationBootstrap, type Provider } from '@nestjs/common';
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
import { demoCentres } from '../../../core/centres/demo-centres';
import { PgCentreRepository } from '../../../core/centres/pg/centre.pg-repository';
import { ManageCentres } from '../../../core/centres/use-cases/manage-centres';
import { AfricasTalkingNotifier } from '../../../core/notifications/africastalking.notifier';
import { NotificationLog } from '../../../core/notifications/notification-log';
import { Notifier } from '../../../core/notifications/notifier.port';
import { OutboxNotifier } from '../../../core/notifications/outbox.notifier';
import { KIUNGO_RUNTIME, type KiungoRuntime } from '../runtime/runtime';
import { AgencyAppointmentSync } from '../../../core/agency-appointments/use-cases/agency-appointment-sync';
import { AGENCY_APPOINTMENT_EXPORTS, agencyAppointmentProviders } from '../agency-appointments/agency-appointments.providers';

/** Inserts the demo centres when KIUNGO_SEED_CENTRES is on (embedded default); idempotent, so every role may run it. */
@Injectable()
export class DemoCentresSeed implements OnApplicationBootstrap {
  private readonly logger = new Logger('Centres');

  constructor(
    @Inject(KIUNGO_RUNTIME) private readonly runtime: KiungoRuntime,
    private readonly centres: CentreRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.runtime.config.seedDemoCentres) return;
    const inserted = await this.centres.seedMissing(demoCentres(this.runtime.catalogue), 'system:seed', this.runtime.clock.now());
    if (inserted.length) this.logger.log(`seeded demo centres ${inserted.join(', ')}`);
  }
}

function createNotifier(runtime: KiungoRuntime, log: NotificationLog): Notifier {
  const sms = runtime.config.sms;
  return sms.driver === 'africastalking' ? new AfricasTalkingNotifier(sms, log) : new OutboxNotifier(log);
}

/** Centres, Service by Appointment and the Notifier, wired to the runtime (spread into CoreModule). */
export function bookingsCoreProviders(runtime: KiungoRuntime): Provider[] {
  const smsLogger = new Logger('Notifier');
  return [
    { provide: CentreRepository, useFactory: () => new PgCentreRepository(runtime.pool, runtime.audit) },
    { provide: BookingRepository, useFactory: () => new PgBookingRepository(runtime.pool, runtime.audit) },
    { provide: NotificationLog, useFactory: () => new NotificationLog(runtime.pool, runtime.vault) },
    { provide: Notifier, inject: [NotificationLog], useFactory: (log: NotificationLog) => createNotifier(runtime, log) },
    {
      provide: BookingNotices,
      inject: [Notifier],
      useFactory: (notifier: Notifier) => new BookingNotices(notifier, runtime.catalogue, runtime.vault, (m) => smsLogger.warn(m)),
    },
    { provide: ManageCentres, inject: [CentreRepository], useFactory: (c: CentreRepository) => new ManageCentres(c, runtime.catalogue, runtime.clock) },
    {
      provide: ListFreeSlots,
      inject: [CentreRepository, BookingRepository],
      useFactory: (c: CentreRepository, b: BookingRepository) => new ListFreeSlots(c, b, runtime.catalogue, runtime.clock),
    },
    {
      provide: BookAppointment,
      inject: [CentreRepository, BookingRepository, BookingNotices, AgencyAppointmentSync],
      useFactory: (c: CentreRepository, b: BookingRepository, n: BookingNotices, sync: AgencyAppointmentSync) =>
        new BookAppointment(c, b, runtime.catalogue, runtime.vault, n, runtime.clock, sync),
    },
    {
      provide: FindBookings,
      inject: [BookingRepository, AuditLog],
      useFactory: (b: BookingRepository, audit: AuditLog) => new FindBookings(b, runtime.vault, audit, runtime.pool, runtime.clock),
    },
    {
      provide: ChangeBooking,
      inject: [CentreRepository, BookingRepository, BookingNotices, AgencyAppointmentSync],
      useFactory: (c: CentreRepository, b: BookingRepository, n: BookingNotices, sync: AgencyAppointmentSync) =>
        new ChangeBooking(c, b, runtime.vault, n, runtime.clock, sync),
    },
    { provide: CheckInBooking, inject: [BookingRepository], useFactory: (b: BookingRepository) => new CheckInBooking(b) },
    {
      provide: BookingJobs,
      inject: [CentreRepository, BookingRepository, BookingNotices, AgencyAppointmentSync],
      useFactory: (c: CentreRepository, b: BookingRepository, n: BookingNotices, sync: AgencyAppointmentSync) => new BookingJobs(c, b, n, runtime.clock, sync),
    },
    DemoCentresSeed,
    ...agencyAppointmentProviders(runtime),
  ];
}

/** What other modules (controllers, the worker, the queue helper's tickets) may inject. */
export const BOOKINGS_CORE_EXPORTS = [
  CentreRepository,
  BookingRepository,
  NotificationLog,
  Notifier,
  ManageCentres,
  ListFreeSlots,
  BookAppointment,
  FindBookings,
  ChangeBooking,
  CheckInBooking,
  BookingJobs,
  ...AGENCY_APPOINTMENT_EXPORTS,
];
