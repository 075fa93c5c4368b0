/**
 * Where a booking may go: a slot on the centre's grid, inside opening hours, not on a holiday,
 * not started, within the booking horizon, for a service the centre offers by appointment.
 * Each refusal names its rule (stable code) and the field at fault.
 */
import { hoursOn, offers, type Centre } from '../../centres/domain/centre';
import { addDays, isRealDate, localDate, localParts, minutesOf, weekdayOf, zonedInstant } from '../../centres/domain/local-time';
import { DomainError } from '../../shared/errors';
import type { SlotChoice } from './booking';

export interface DaySlot {
  start: Date;
  end: Date;
}

export type DayClosure = 'holiday' | 'closed';

function refuse(code: string, field: string, message: string): DomainError {
  return new DomainError('invalid', code, message, { errors: [{ field, message }] });
}

/** The service's appointment capacity at the centre; refuses services the centre does not book. */
export function bookableCapacity(centre: Centre, serviceCode: string, field: string): number {
  const offered = offers(centre, serviceCode);
  if (!offered) throw refuse('service-not-offered', field, `service ${serviceCode} is not offered at ${centre.code}`);
  if (offered.slotCapacity <= 0) throw refuse('service-not-bookable', field, `service ${serviceCode} is walk-in only at ${centre.code}`);
  return offered.slotCapacity;
}

/** Why the centre takes no appointments on `date`, or undefined when it is open. */
export function closureOn(centre: Centre, date: string): DayClosure | undefined {
  if (centre.holidays.some((h) => h.date === date)) return 'holiday';
  return hoursOn(centre, weekdayOf(date)) ? undefined : 'closed';
}

/** Every slot of an open day, from opening time, each fitting wholly before closing time. */
export function slotsOfDay(centre: Centre, date: string): DaySlot[] {
  if (closureOn(centre, date)) return [];
  const hours = hoursOn(centre, weekdayOf(date));
  if (!hours) return [];
  const slots: DaySlot[] = [];
  const closes = minutesOf(hours.closes);
  for (let m = minutesOf(hours.opens); m + centre.slotMinutes <= closes; m += centre.slotMinutes) {
    slots.push({ start: zonedInstant(date, m, centre.timeZone), end: zonedInstant(date, m + centre.slotMinutes, centre.timeZone) });
  }
  return slots;
}

/**
 * The slot of `date` (an open day) that starts at `start`, shown locally as `minutes` past midnight,
 * if there is one: the same grid as slotsOfDay, found without building the whole day (a booking
 * centre open round the clock has 48 slots, each two zone conversions).
 */
function slotStartingAt(centre: Centre, date: string, minutes: number, start: Date): DaySlot | undefined {
  const hours = hoursOn(centre, weekdayOf(date));
  if (!hours) return undefined;
  const opens = minutesOf(hours.opens);
  if (minutes < opens || minutes + centre.slotMinutes > minutesOf(hours.closes) || (minutes - opens) % centre.slotMinutes !== 0) return undefined;
  // Seconds past the minute, or a wall time the zone skips, do not name the slot.
  const slotStart = zonedInstant(date, minutes, centre.timeZone);
  if (slotStart.getTime() !== start.getTime()) return undefined;
  return { start: slotStart, end: zonedInstant(date, minutes + centre.slotMinutes, centre.timeZone) };
}

/** The last local date a booking may be made for. */
export function horizonEnd(centre: Centre, now: Date): string {
  return addDays(localDate(now, centre.timeZone), centre.bookingHorizonDays);
}

/** Checks a requested day (GET slots): a real date, not past, within the horizon. */
export function checkBookableDate(centre: Centre, date: string, now: Date, field: string): void {
  if (!isRealDate(date)) throw refuse('validation-failed', field, 'must be a date YYYY-MM-DD');
  if (date < localDate(now, centre.timeZone)) throw refuse('date-in-past', field, `${date} has passed`);
  const last = horizonEnd(centre, now);
  if (date > last) throw refuse('beyond-booking-horizon', field, `bookings open ${centre.bookingHorizonDays} days ahead (until ${last})`);
}

/** Resolves a requested slot start into a bookable slot, or refuses it with the rule it breaks. */
export function resolveSlot(centre: Centre, serviceCode: string, start: Date, now: Date, field: string, serviceField: string): SlotChoice {
  const capacity = bookableCapacity(centre, serviceCode, serviceField);
  if (start.getTime() <= now.getTime()) throw refuse('slot-in-past', field, 'the slot has already started');
  const { date, minutesOfDay } = localParts(start, centre.timeZone);
  const last = horizonEnd(centre, now);
  if (date > last) throw refuse('beyond-booking-horizon', field, `bookings open ${centre.bookingHorizonDays} days ahead (until ${last})`);
  const closure = closureOn(centre, date);
  if (closure === 'holiday') {
    const name = centre.holidays.find((h) => h.date === date)?.name ?? 'a holiday';
    throw refuse('centre-closed-holiday', field, `${centre.code} is closed on ${date} (${name})`);
  }
  const slot = slotStartingAt(centre, date, minutesOfDay, start);
  if (!slot) {
    const hours = hoursOn(centre, weekdayOf(date));
    const when = hours ? `${hours.opens}–${hours.closes}, ${centre.slotMinutes}-minute slots from opening` : 'closed that day';
    throw refuse('slot-outside-opening-hours', field, `not a slot of ${centre.code} on ${date} (${when})`);
  }
  return { centreCode: centre.code, serviceCode, start: slot.start, end: slot.end, localDate: date, capacity };
}
