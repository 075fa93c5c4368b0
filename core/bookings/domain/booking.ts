import type { PersonalDataVault } from '../../shared/personal-data';

/** A Service by Appointment booking: one citizen, one service, one slot at one centre. */
export const BOOKING_STATUSES = ['booked', 'checked_in', 'cancelled', 'no_show'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

/** Statuses that hold a place in a slot and count for "one booking per citizen per service per day". */
export const ACTIVE_STATUSES: readonly BookingStatus[] = ['booked', 'checked_in'];

export const BOOKING_CHANNELS = ['portal', 'mobile', 'ussd', 'call-centre', 'counter', 'kiosk', 'outreach'] as const;
export type BookingChannel = (typeof BOOKING_CHANNELS)[number];

/** Sealed at rest; never logged. */
export interface BookingCitizen {
  idNumber: string;
  phone: string;
}

export interface BookingRecord {
  id: string;
  reference: string;
  centreCode: string;
  serviceCode: string;
  slotStart: Date;
  slotEnd: Date;
  /** The slot's calendar date at the centre, `YYYY-MM-DD`. */
  localDate: string;
  citizenIdHash: string;
  citizenSealed: Buffer;
  /** The data key it is sealed under, as stored (core/shared/personal-data.ts); null once destroyed, or for a row sealed before per-record keys. */
  dataKeySealed: Buffer | null;
  channel: string;
  bookedBy: string;
  status: BookingStatus;
  reschedules: number;
  reminderSentAt: Date | null;
  checkedInAt: Date | null;
  cancelledAt: Date | null;
  noShowAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A slot resolved against a centre's hours: where a booking goes and how many it may hold. */
export interface SlotChoice {
  centreCode: string;
  serviceCode: string;
  start: Date;
  end: Date;
  localDate: string;
  /** Capacity of the slot when its row is created by this booking. */
  capacity: number;
}

/** Kenyan national ID numbers are 7 or 8 digits (older cards have 7). */
export const NATIONAL_ID = /^\d{7,8}$/;
/** Kenyan mobile numbers in E.164: +254 then 7xx or 1xx and 7 more digits. */
export const KENYAN_MOBILE = /^\+254[17]\d{8}$/;

declare const ONE_SPELLING: unique symbol;
/**
 * A phone number in its one spelling, as `normalisePhone` gives it: what a phone's keyed hash is taken of.
 * It means "passed through normalisePhone", not "valid": a string it cannot fix comes back unchanged
 * (`kenyanMobile` is the check of a network's number).
 */
export type Phone = string & { readonly [ONE_SPELLING]: true };

/** `0712 345 678`, `254712345678`, `+254712345678` → `+254712345678`; anything else unchanged (then rejected). */
export function normalisePhone(phone: string): Phone {
  const compact = phone.replace(/[\s-]/g, '');
  if (/^0[17]\d{8}$/.test(compact)) return `+254${compact.slice(1)}` as Phone;
  if (/^254[17]\d{8}$/.test(compact)) return `+${compact}` as Phone;
  return compact as Phone;
}

/** The caller's number as a network gives it (USSD, SMS), in its one spelling; null when it is no Kenyan mobile. */
export function kenyanMobile(phone: string): Phone | null {
  const spelt = normalisePhone(phone);
  return KENYAN_MOBILE.test(spelt) ? spelt : null;
}

/**
 * The keyed hash a phone is found by (rate limits, walk-in tickets, notices, USSD sessions, sent
 * messages, erasure): taken of its one spelling, so `0712 345 678` and `+254712345678` are the same
 * phone everywhere, and erasure finds every row of it. A `Phone` is spelt once, where the number
 * comes in (normalisePhone), so the compiler refuses a number that was not.
 */
export function phoneLookupHash(vault: Pick<PersonalDataVault, 'lookupHash'>, phone: Phone): string {
  return vault.lookupHash(phone);
}
