import type { PoolClient } from 'pg';
import { localDate } from '../../centres/domain/local-time';
import { DomainError } from '../../shared/errors';
import type { BookingRepository } from '../booking.repository';
import { normaliseBookingReference } from '../domain/booking-reference';

/** What a walk-in ticket needs to know about the appointment it comes from. */
export interface CheckedInBooking {
  bookingId: string;
  reference: string;
  centreCode: string;
  serviceCode: string;
  slotStart: Date;
  slotEnd: Date;
  checkedInAt: Date;
}

/**
 * The citizen arrives for an appointment: the booking becomes `checked_in` (the queue turns it
 * into a priority ticket). Allowed on the slot's local day until slot start + the centre's grace.
 * Pass `client` to do it inside the caller's database transaction (ticket and check-in together).
 */
export class CheckInBooking {
  constructor(private readonly bookings: BookingRepository) {}

  async checkInBooking(
    reference: string,
    at: Date,
    options: { centreCode?: string; actor?: string; client?: PoolClient } = {},
  ): Promise<CheckedInBooking> {
    const normalised = normaliseBookingReference(reference);
    if (!normalised) throw new DomainError('not_found', 'booking-not-found', `No booking ${reference.slice(0, 20)}.`);
    const record = await this.bookings.checkIn(
      normalised,
      at,
      (b, centre) => {
        if (options.centreCode && options.centreCode !== b.centreCode) {
          throw new DomainError('conflict', 'booking-wrong-centre', `Booking ${b.reference} is for ${b.centreCode}, not ${options.centreCode}.`);
        }
        if (b.status !== 'booked') {
          throw new DomainError('conflict', 'booking-not-active', `Booking ${b.reference} is ${b.status.replace('_', '-')}.`);
        }
        if (localDate(at, centre.timeZone) !== b.localDate) {
          throw new DomainError('conflict', 'booking-not-today', `Booking ${b.reference} is for ${b.localDate}.`);
        }
        if (at.getTime() > b.slotStart.getTime() + centre.noShowGraceMinutes * 60_000) {
          throw new DomainError('conflict', 'booking-expired', `Booking ${b.reference} expired ${centre.noShowGraceMinutes} minutes after its slot began.`);
        }
      },
      (b) => ({
        entityType: 'booking',
        entityId: b.reference,
        type: 'checked_in',
        actor: options.actor ?? 'system:queue',
        data: { centre: b.centreCode, service: b.serviceCode, slotStart: b.slotStart.toISOString() },
        occurredAt: at,
      }),
      options.client,
    );
    return {
      bookingId: record.id,
      reference: record.reference,
      centreCode: record.centreCode,
      serviceCode: record.serviceCode,
      slotStart: record.slotStart,
      slotEnd: record.slotEnd,
      checkedInAt: at,
    };
  }
}
