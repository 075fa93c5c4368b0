import { hoursOn, type Centre } from '../../centres/domain/centre';
import { localParts, minutesOf, weekdayOf } from '../../centres/domain/local-time';

export type OpenState = { open: true } | { open: false; reason: string };

/**
 * Whether the centre takes new walk-ins at `at`: a working weekday, not a holiday, between opening
 * and closing time (local). Tickets issued before closing stay callable after it: call-next never asks.
 */
export function openForWalkIns(centre: Pick<Centre, 'timeZone' | 'openingHours' | 'holidays'>, at: Date): OpenState {
  const local = localParts(at, centre.timeZone);
  const holiday = centre.holidays.find((h) => h.date === local.date);
  if (holiday) return { open: false, reason: `closed today (${holiday.name})` };
  const hours = hoursOn(centre, weekdayOf(local.date));
  if (!hours) return { open: false, reason: 'closed today' };
  if (local.minutesOfDay < minutesOf(hours.opens)) return { open: false, reason: `opens at ${hours.opens}` };
  if (local.minutesOfDay >= minutesOf(hours.closes)) return { open: false, reason: `closed at ${hours.closes}` };
  return { open: true };
}
