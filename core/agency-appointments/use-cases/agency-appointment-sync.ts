/**
 * Keeps an agency's own appointment system in step with our bookings (adapter capability
 * `appointments`). A booking takes its place here first (capacity is ours to guard), then at the
 * agency, before the confirmation SMS:
 *   agency reserved        → kept, with the agency's reference;
 *   agency refused         → our place released again, 409 `agency-refused-appointment`;
 *   agency unreachable     → the service's fallback decides: `reject` releases our place, 503
 *                            `agency-unavailable`; otherwise the booking stays and is `pending`
 *                            at the agency until the worker's retry gets an answer.
 * A rescheduled booking (moved here first) reserves its new slot at the agency, then the old
 * reservation there is cancelled; a refusal moves the booking back (409), an unreachable agency is
 * left to the fallback as for booking (`reject` moves it back, 503). A booking cancelled or
 * released as a no-show is cancelled at the agency too; a failed cancel is recorded (`lastError`
 * `cancel-failed:<code>`, the row stays `reserved`) and not retried by the worker.
 */
import type { AgencyAppointmentRequest } from '../../../contracts/src/appointments';
import type { Catalogue } from '../../../contracts/src/catalogue';
import type { BookingRepository } from '../../bookings/booking.repository';
import type { BookingRecord, SlotChoice } from '../../bookings/domain/booking';
import type { Clock } from '../../shared/clock';
import { DomainError } from '../../shared/errors';
import type { AgencyAppointment, AgencyAppointmentRepository } from '../agency-appointment.repository';
import type { AgencyAppointmentSystem } from '../agency-appointment-system.port';

/** First retry of a pending reservation after this; doubling up to an hour. */
export const PENDING_RETRY_BASE_MS = 30_000;
const PENDING_RETRY_MAX_MS = 3_600_000;

export function nextRetryDelayMs(attempts: number): number {
  return Math.min(PENDING_RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1), PENDING_RETRY_MAX_MS);
}

export class AgencyAppointmentSync {
  constructor(
    private readonly system: AgencyAppointmentSystem,
    private readonly appointments: AgencyAppointmentRepository,
    private readonly bookings: BookingRepository,
    private readonly services: Pick<Catalogue, 'service'>,
    private readonly clock: Clock,
  ) {}

  /** Whether a booking of this service is reserved at an agency too (afterBooked may then refuse it). */
  reservesFor(serviceCode: string): boolean {
    return Boolean(this.system.agencyFor(serviceCode));
  }

  /** Called by BookAppointment once the booking is stored, before it is confirmed. Throws to refuse it. */
  async afterBooked(booking: BookingRecord, actor: string): Promise<void> {
    const agencyCode = this.system.agencyFor(booking.serviceCode);
    if (!agencyCode) return;
    const answer = await this.system.reserve(agencyCode, requestOf(booking));
    const now = this.clock.now();
    const base = { bookingId: booking.id, bookingReference: booking.reference, agencyCode, agencyRef: null, attempts: 1, nextAttemptAt: null, lastError: null };
    if (answer.kind === 'reserved') {
      await this.save({ ...base, state: 'reserved', agencyRef: answer.agencyRef }, now, actor);
      return;
    }
    if (answer.kind === 'refused') {
      await this.release(booking, actor, 'agency-refused');
      await this.save({ ...base, state: 'refused', lastError: answer.code }, now, actor);
      throw new DomainError('conflict', 'agency-refused-appointment', `The agency refused the appointment: ${answer.reason}`);
    }
    const fallback = this.services.service(booking.serviceCode)?.fallback ?? 'reject';
    if (fallback === 'reject') {
      await this.release(booking, actor, 'agency-unavailable');
      throw new DomainError('unavailable', 'agency-unavailable', `The agency's appointment system cannot be reached (${answer.code}); nothing was booked. Try again shortly.`, {
        retryAfterSeconds: 30,
      });
    }
    await this.save({ ...base, state: 'pending', nextAttemptAt: new Date(now.getTime() + nextRetryDelayMs(1)), lastError: answer.code }, now, actor);
  }

  /**
   * Called by ChangeBooking once `moved` has left slot `from`, before the SMS. Throws to refuse the
   * move, after moving the booking back to `from`.
   */
  async afterRescheduled(moved: BookingRecord, from: SlotChoice, actor: string): Promise<void> {
    const agencyCode = this.system.agencyFor(moved.serviceCode);
    if (!agencyCode) return;
    const held = await this.appointments.findByBooking(moved.id);
    const oldRef = held && (held.state === 'reserved' || held.state === 'pending') ? held.agencyRef : null;
    const answer = await this.system.reserve(agencyCode, requestOf(moved));
    const base = { bookingId: moved.id, bookingReference: moved.reference, agencyCode, attempts: 1, nextAttemptAt: null, lastError: null };
    if (answer.kind === 'reserved') {
      const cancelled = oldRef && oldRef !== answer.agencyRef ? await this.system.cancel(agencyCode, oldRef) : { kind: 'cancelled' as const };
      const lastError = cancelled.kind === 'transient' ? `cancel-failed:${cancelled.code}:${oldRef}` : null;
      await this.save({ ...base, state: 'reserved', agencyRef: answer.agencyRef, lastError }, this.clock.now(), actor);
      return;
    }
    if (answer.kind === 'refused') {
      await this.moveBack(moved, from, actor, 'agency-refused');
      throw new DomainError('conflict', 'agency-refused-appointment', `The agency refused the new slot: ${answer.reason}. The booking keeps its slot.`);
    }
    const fallback = this.services.service(moved.serviceCode)?.fallback ?? 'reject';
    if (fallback === 'reject') {
      await this.moveBack(moved, from, actor, 'agency-unavailable');
      throw new DomainError('unavailable', 'agency-unavailable', `The agency's appointment system cannot be reached (${answer.code}); the booking keeps its slot. Try again shortly.`, {
        retryAfterSeconds: 30,
      });
    }
    // Pending with the old reference kept: the worker's retry reserves the new slot, then cancels the old one.
    const now = this.clock.now();
    await this.save({ ...base, state: 'pending', agencyRef: oldRef, nextAttemptAt: new Date(now.getTime() + nextRetryDelayMs(1)), lastError: answer.code }, now, actor);
  }

  /**
   * Called by ChangeBooking after a cancellation and by the no-show job after a release. Never
   * throws: the cancellation stands here whatever the agency says.
   */
  async afterCancelled(booking: Pick<BookingRecord, 'id'>, actor: string): Promise<void> {
    const held = await this.appointments.findByBooking(booking.id);
    if (!held || (held.state !== 'reserved' && held.state !== 'pending')) return;
    // A pending row may still carry the reservation of a slot the booking was moved from.
    if (held.agencyRef) {
      const answer = await this.system.cancel(held.agencyCode, held.agencyRef);
      if (answer.kind === 'transient') {
        await this.save({ ...held, lastError: `cancel-failed:${answer.code}` }, this.clock.now(), actor);
        return;
      }
    }
    await this.save({ ...held, state: 'cancelled', nextAttemptAt: null }, this.clock.now(), actor);
  }

  /** Takes the booking's place back here, without an SMS (it was never confirmed). */
  private async release(booking: BookingRecord, actor: string, reason: string): Promise<void> {
    const now = this.clock.now();
    await this.bookings.cancel(booking.reference, now, (b) => ({
      entityType: 'booking',
      entityId: b.reference,
      type: 'cancelled',
      actor,
      data: { centre: b.centreCode, service: b.serviceCode, slotStart: b.slotStart.toISOString(), reason },
      occurredAt: now,
    }));
  }

  /** Undoes a reschedule the agency did not take: the booking goes back to its old slot, without an SMS. */
  private async moveBack(moved: BookingRecord, from: SlotChoice, actor: string, reason: string): Promise<void> {
    const now = this.clock.now();
    // Back to the slot it held: no new decision on the centre, so no version to check.
    await this.bookings.reschedule(moved.reference, from, undefined, now, (b) => ({
      entityType: 'booking',
      entityId: b.reference,
      type: 'rescheduled',
      actor,
      data: { centre: b.centreCode, service: b.serviceCode, from: b.slotStart.toISOString(), to: from.start.toISOString(), reason },
      occurredAt: now,
    }));
  }

  private async save(appointment: AgencyAppointment, at: Date, actor: string): Promise<void> {
    await this.appointments.save(appointment, at, {
      entityType: 'booking',
      entityId: appointment.bookingReference,
      type: `agency_appointment_${appointment.state}`,
      actor,
      data: { agency: appointment.agencyCode, agencyRef: appointment.agencyRef, attempts: appointment.attempts, error: appointment.lastError },
      occurredAt: at,
    });
  }
}

/** A rescheduled booking reserves under a key of its own per move (`<reference>~R<n>`). */
export function requestOf(booking: BookingRecord): AgencyAppointmentRequest {
  return {
    bookingReference: booking.reference,
    ...(booking.reschedules > 0 ? { reservationKey: `${booking.reference}~R${booking.reschedules}` } : {}),
    serviceCode: booking.serviceCode,
    centreCode: booking.centreCode,
    slotStart: booking.slotStart.toISOString(),
    slotEnd: booking.slotEnd.toISOString(),
    citizenRef: booking.citizenIdHash,
  };
}
