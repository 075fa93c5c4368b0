/**
 * The body of POST /v1/bookings, valid against new-booking.v1.json (checked at the edge), as the
 * use case works with it: the slot start as an instant, the phone number in E.164.
 */
import { parseOffsetDateTime } from '../../../contracts/src/calendar';
import type { NewBooking } from '../../../contracts/src/message.types';
import { normalisePhone, type BookingChannel, type BookingCitizen } from '../domain/booking';

export interface BookingRequest {
  centre: string;
  service: string;
  slotStart: Date;
  citizen: BookingCitizen;
  channel: BookingChannel;
}

export function bookingRequest(body: NewBooking): BookingRequest {
  return {
    centre: body.centre,
    service: body.service,
    // Valid at the edge (format offset-date-time), so it names an instant.
    slotStart: parseOffsetDateTime(body.slotStart)!,
    citizen: { idNumber: body.citizen.idNumber, phone: normalisePhone(body.citizen.phone) },
    channel: body.channel,
  };
}
