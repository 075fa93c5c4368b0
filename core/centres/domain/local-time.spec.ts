import { addDays, isRealDate, localDate, localParts, weekdayOf, zonedInstant } from './local-time';

describe('local time at a centre', () => {
  it('turns Nairobi wall-clock times into instants (UTC+3, no DST)', () => {
    expect(zonedInstant('2026-11-24', 9 * 60 + 30, 'Africa/Nairobi').toISOString()).toBe('2026-11-24T06:30:00.000Z');
    expect(zonedInstant('2026-11-24', 0, 'Africa/Nairobi').toISOString()).toBe('2026-11-23T21:00:00.000Z');
  });

  it('follows a DST zone across its change', () => {
    // Europe/London moves to UTC+1 on 2026-03-29 at 01:00 UTC.
    expect(zonedInstant('2026-03-28', 12 * 60, 'Europe/London').toISOString()).toBe('2026-03-28T12:00:00.000Z');
    expect(zonedInstant('2026-03-30', 12 * 60, 'Europe/London').toISOString()).toBe('2026-03-30T11:00:00.000Z');
  });

  it('reads the local date and time of an instant', () => {
    expect(localDate(new Date('2026-11-23T21:30:00Z'), 'Africa/Nairobi')).toBe('2026-11-24');
    expect(localParts(new Date('2026-11-24T06:30:00Z'), 'Africa/Nairobi')).toEqual({ date: '2026-11-24', time: '09:30', minutesOfDay: 570 });
  });

  it('knows ISO weekdays, real dates and day arithmetic', () => {
    expect(weekdayOf('2026-11-23')).toBe(1);
    expect(weekdayOf('2026-11-22')).toBe(7);
    expect(isRealDate('2026-02-29')).toBe(false);
    expect(isRealDate('2028-02-29')).toBe(true);
    expect(isRealDate('2026-1-5')).toBe(false);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});
