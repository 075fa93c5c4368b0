/**
 * The worker's job: reservations left `pending` (the agency was down when the citizen booked)
 * are tried again with backoff. Reserved → kept; refused → the booking is cancelled (the citizen
 * was told it was booked, so the cancellation SMS goes out); unreachable → later. A pending row
 * that still carries an agency reference (a reschedule made while the agency was down) holds
 * the old slot there: it is cancelled once the new one is reserved (or the booking has ended).
 */
import type { BookingRepository } from '../../bookings/booking.repository';
import type { ChangeBooking } from '../../bookings/use-cases/change-booking';
import type { Clock } from '../../shared/clock';
import type { AgencyAppointmentRepository } from '../agency-appointment.repository';
import type { AgencyAppointmentSystem } from '../agency-appointment-system.port';
import { nextRetryDelayMs, requestOf } from './agency-appointment-sync';

const ACTOR = 'system:agency-appointments';
const LEASE_MS = 60_000;

export interface RetryReport {
  reserved: number;
  refused: number;
  stillPending: number;
}

export class RetryAgencyAppointments {
  constructor(
    private readonly system: AgencyAppointmentSystem,
    private readonly appointments: AgencyAppointmentRepository,
    private readonly bookings: BookingRepository,
    private readonly changeBooking: ChangeBooking,
    private readonly clock: Clock,
  ) {}

  async run(limit = 50): Promise<RetryReport> {
    const report: RetryReport = { reserved: 0, refused: 0, stillPending: 0 };
    const now = this.clock.now();
    for (const pending of await this.appointments.claimDue(now, new Date(now.getTime() + LEASE_MS), limit)) {
      const booking = await this.bookings.findByReference(pending.bookingReference);
      const at = this.clock.now();
      const event = (type: string, data: Record<string, unknown>) => ({ entityType: 'booking', entityId: pending.bookingReference, type, actor: ACTOR, data, occurredAt: at });
      if (!booking || booking.status !== 'booked') {
        if (pending.agencyRef) await this.system.cancel(pending.agencyCode, pending.agencyRef);
        await this.appointments.save({ ...pending, state: 'cancelled', nextAttemptAt: null }, at, event('agency_appointment_cancelled', { agency: pending.agencyCode }));
        continue;
      }
      const answer = await this.system.reserve(pending.agencyCode, requestOf(booking));
      const attempts = pending.attempts + 1;
      if (answer.kind === 'reserved') {
        if (pending.agencyRef && pending.agencyRef !== answer.agencyRef) await this.system.cancel(pending.agencyCode, pending.agencyRef);
        await this.appointments.save(
          { ...pending, state: 'reserved', agencyRef: answer.agencyRef, attempts, nextAttemptAt: null, lastError: null },
          at,
          event('agency_appointment_reserved', { agency: pending.agencyCode, agencyRef: answer.agencyRef, attempts }),
        );
        report.reserved += 1;
      } else if (answer.kind === 'refused') {
        await this.changeBooking.cancel(booking.reference, { subject: ACTOR, roles: ['admin'] });
        await this.appointments.save(
          { ...pending, state: 'refused', attempts, nextAttemptAt: null, lastError: answer.code },
          at,
          event('agency_appointment_refused', { agency: pending.agencyCode, attempts, error: answer.code }),
        );
        report.refused += 1;
      } else {
        await this.appointments.save(
          { ...pending, attempts, nextAttemptAt: new Date(at.getTime() + nextRetryDelayMs(attempts)), lastError: answer.code },
          at,
          event('agency_appointment_pending', { agency: pending.agencyCode, attempts, error: answer.code }),
        );
        report.stillPending += 1;
      }
    }
    return report;
  }
}
