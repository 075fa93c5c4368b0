/**
 * The body of POST /v1/bookings, checked field by field so that a refusal names every bad field
 * (JSON pointers) and never repeats a rejected value (it may be an ID or phone number).
 */
import { CENTRE_CODE } from '../../centres/domain/centre';
import { DomainError, type FieldError } from '../../shared/errors';
import { BOOKING_CHANNELS, KENYAN_MOBILE, NATIONAL_ID, normalisePhone, type BookingChannel, type BookingCitizen } from '../domain/booking';

export interface BookingRequest {
  centre: string;
  service: string;
  slotStart: Date;
  citizen: BookingCitizen;
  channel: BookingChannel;
}

const FIELDS = new Set(['centre', 'service', 'slotStart', 'citizen', 'channel']);
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseSlotStart(value: unknown, field: string, errors: FieldError[]): Date | undefined {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
    errors.push({ field, message: 'must be an ISO-8601 date-time with offset, e.g. 2026-11-24T09:30:00+03:00' });
    return undefined;
  }
  return new Date(value);
}

export function invalid(errors: FieldError[]): DomainError {
  return new DomainError('invalid', 'validation-failed', 'The booking request is not valid.', { errors });
}

export function parseBookingRequest(body: unknown): BookingRequest {
  if (!isObject(body)) throw invalid([{ field: '', message: 'must be a JSON object' }]);
  const errors: FieldError[] = [];
  for (const key of Object.keys(body)) if (!FIELDS.has(key)) errors.push({ field: `/${key}`, message: 'is not a known field' });

  const centre = body.centre;
  if (typeof centre !== 'string' || !CENTRE_CODE.test(centre)) errors.push({ field: '/centre', message: 'must be a centre code such as NRB-GPO' });
  const service = body.service;
  if (typeof service !== 'string' || service.length === 0 || service.length > 100) errors.push({ field: '/service', message: 'must be a service code' });
  const slotStart = parseSlotStart(body.slotStart, '/slotStart', errors);
  const channel = body.channel;
  if (typeof channel !== 'string' || !(BOOKING_CHANNELS as readonly string[]).includes(channel)) {
    errors.push({ field: '/channel', message: `must be one of ${BOOKING_CHANNELS.join(', ')}` });
  }

  let citizen: BookingCitizen | undefined;
  if (!isObject(body.citizen)) {
    errors.push({ field: '/citizen', message: 'must be an object with idNumber and phone' });
  } else {
    const { idNumber, phone, ...rest } = body.citizen;
    for (const key of Object.keys(rest)) errors.push({ field: `/citizen/${key}`, message: 'is not a known field' });
    const idOk = typeof idNumber === 'string' && NATIONAL_ID.test(idNumber);
    if (!idOk) errors.push({ field: '/citizen/idNumber', message: 'must be a national ID number of 7 or 8 digits' });
    const normalised = typeof phone === 'string' ? normalisePhone(phone) : '';
    const phoneOk = KENYAN_MOBILE.test(normalised);
    if (!phoneOk) errors.push({ field: '/citizen/phone', message: 'must be a Kenyan mobile number such as +254712345678' });
    if (idOk && phoneOk) citizen = { idNumber: idNumber as string, phone: normalised };
  }

  if (errors.length > 0 || !citizen || !slotStart) throw invalid(errors);
  return { centre: centre as string, service: service as string, slotStart, citizen, channel: channel as BookingChannel };
}
