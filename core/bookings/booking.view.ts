import { maskIdNumber, maskPhone, type PersonalDataVault } from '../shared/personal-data';
import type { Booking } from '../../contracts/src/message.types';
import type { BookingCitizen, BookingRecord } from './domain/booking';

/** A booking as the API shows it (booking.v1.json): personal data masked unless the reader holds `personal-data`. */
export type BookingView = Booking;

/** `citizen`: the caller's own copy, when it has one (a new booking): the sealed one need not be opened. */
export function toBookingView(record: BookingRecord, vault: PersonalDataVault, showPersonalData = false, known?: BookingCitizen): BookingView {
  const citizen = known ?? vault.openCitizen<BookingCitizen>(record);
  return {
    reference: record.reference,
    centre: record.centreCode,
    service: record.serviceCode,
    slotStart: record.slotStart.toISOString(),
    slotEnd: record.slotEnd.toISOString(),
    date: record.localDate,
    status: record.status,
    channel: record.channel,
    citizen: showPersonalData ? citizen : { idNumber: maskIdNumber(citizen.idNumber), phone: maskPhone(citizen.phone) },
    reschedules: record.reschedules,
    checkedInAt: record.checkedInAt?.toISOString() ?? null,
    cancelledAt: record.cancelledAt?.toISOString() ?? null,
    noShowAt: record.noShowAt?.toISOString() ?? null,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}
