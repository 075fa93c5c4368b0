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

  it('reads every instant as Intl shows it, across DST changes and changes off the hour', () => {
    const intl = (instant: Date, timeZone: string) => {
      const parts = Object.fromEntries(
        new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
          .formatToParts(instant)
          .map((p) => [p.type, p.value]),
      );
      return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}`, minutesOfDay: Number(parts.hour) * 60 + Number(parts.minute) };
    };
    const around = [
      ['Europe/London', '2026-03-29T01:00:00Z'], // +0 → +1 on the hour
      ['Europe/London', '2026-10-25T01:00:00Z'], // +1 → +0: a local hour shown twice
      ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'], // +11 → +10:30
      ['Asia/Kathmandu', '1985-12-31T18:30:00Z'], // +5:30 → +5:45, half past the UTC hour
      ['America/St_Johns', '2026-03-08T05:30:00Z'], // -3:30 → -2:30
      ['Africa/Nairobi', '2026-11-24T06:30:00Z'],
    ] as const;
    for (const [zone, at] of around) {
      for (let minutes = -150; minutes <= 150; minutes += 7) {
        for (const seconds of [0, 59]) {
          const instant = new Date(Date.parse(at) + minutes * 60_000 + seconds * 1000);
          expect([zone, instant.toISOString(), localParts(instant, zone)]).toEqual([zone, instant.toISOString(), intl(instant, zone)]);
        }
      }
    }
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
