import { dataKeyOf } from '../../privacy/pg/citizen-keys.sql';
import type { BookingRecord, BookingStatus } from '../domain/booking';

/** What a statement selects or returns for `fromRow`: the row and its data key (alias: the table's name in the statement). */
export function bookingColumns(alias = 'bookings'): string {
  return `${alias}.*, ${dataKeyOf(alias)}`;
}

export interface BookingRow {
  id: string;
  reference: string;
  centre_code: string;
  service_code: string;
  slot_start: Date;
  slot_end: Date;
  local_date: string | Date;
  citizen_id_hash: string;
  citizen_sealed: Buffer;
  data_key_sealed: Buffer | null;
  channel: string;
  booked_by: string;
  status: BookingStatus;
  reschedules: number;
  reminder_sent_at: Date | null;
  checked_in_at: Date | null;
  cancelled_at: Date | null;
  no_show_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** pg returns a `date` as a local-midnight Date; the calendar day is what was stored. */
function dateText(value: string | Date): string {
  if (typeof value === 'string') return value.slice(0, 10);
  const y = value.getFullYear();
  const m = String(value.getMonth() + 1).padStart(2, '0');
  const d = String(value.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

export function fromRow(row: BookingRow): BookingRecord {
  return {
    id: row.id,
    reference: row.reference,
    centreCode: row.centre_code,
    serviceCode: row.service_code,
    slotStart: row.slot_start,
    slotEnd: row.slot_end,
    localDate: dateText(row.local_date),
    citizenIdHash: row.citizen_id_hash,
    citizenSealed: row.citizen_sealed,
    dataKeySealed: row.data_key_sealed,
    channel: row.channel,
    bookedBy: row.booked_by,
    status: row.status,
    reschedules: row.reschedules,
    reminderSentAt: row.reminder_sent_at,
    checkedInAt: row.checked_in_at,
    cancelledAt: row.cancelled_at,
    noShowAt: row.no_show_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
