import { maskIdNumber, maskPhone, type PersonalDataVault } from '../shared/personal-data';
import type { BookingCitizen, BookingRecord, BookingStatus } from './domain/booking';

/** A booking as the API shows it: personal data masked unless the reader holds `personal-data`. */
export interface BookingView {
  reference: string;
  centre: string;
  service: string;
  slotStart: string;
  slotEnd: string;
  /** The slot's local date at the centre. */
  date: string;
  status: BookingStatus;
  channel: string;
  citizen: BookingCitizen;
  reschedules: number;
  checkedInAt: string | null;
  cancelledAt: string | null;
  noShowAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export function toBookingView(record: BookingRecord, vault: PersonalDataVault, showPersonalData = false): BookingView {
  const citizen = vault.open<BookingCitizen>(record.citizenSealed);
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
