import type { Centre } from '../../centres/domain/centre';
import { DomainError } from '../../shared/errors';
import { checkBookableDate, resolveSlot, slotsOfDay } from './slot-rules';

const centre: Centre = {
  code: 'NRB-GPO',
  name: 'Huduma Centre GPO',
  county: 'Nairobi',
  timeZone: 'Africa/Nairobi',
  slotMinutes: 30,
  bookingHorizonDays: 30,
  noShowGraceMinutes: 15,
  // Monday to Friday 08:00–17:00, Saturday 08:00–13:00, Sunday closed.
  openingHours: [
    ...[1, 2, 3, 4, 5].map((weekday) => ({ weekday: weekday as 1, opens: '08:00', closes: '17:00' })),
    { weekday: 6, opens: '08:00', closes: '13:00' },
  ],
  holidays: [{ date: '2026-12-12', name: 'Jamhuri Day' }],
  services: [
    { serviceCode: 'id-card-replacement', ticketLetter: 'A', slotCapacity: 10 },
    { serviceCode: 'business-name-search', ticketLetter: 'B', slotCapacity: 0 },
  ],
  counters: [],
};

// Monday 23 November 2026, 10:00 in Nairobi.
const now = new Date('2026-11-23T07:00:00Z');

function refusal(run: () => unknown): { code: string; field?: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, field: error.details.errors?.[0]?.field };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('appointment slot rules', () => {
  it('cuts an open day into slots that fit before closing', () => {
    expect(slotsOfDay(centre, '2026-11-24')).toHaveLength(18);
    expect(slotsOfDay(centre, '2026-11-28')).toHaveLength(10);
    expect(slotsOfDay(centre, '2026-11-29')).toEqual([]);
    expect(slotsOfDay(centre, '2026-12-12')).toEqual([]);
    expect(slotsOfDay(centre, '2026-11-24')[17].start.toISOString()).toBe('2026-11-24T13:30:00.000Z');
  });

  it('resolves a slot on the grid with its capacity and local date', () => {
    expect(resolveSlot(centre, 'id-card-replacement', new Date('2026-11-24T06:30:00Z'), now, '/slotStart', '/service')).toEqual({
      centreCode: 'NRB-GPO',
      serviceCode: 'id-card-replacement',
      start: new Date('2026-11-24T06:30:00Z'),
      end: new Date('2026-11-24T07:00:00Z'),
      localDate: '2026-11-24',
      capacity: 10,
    });
  });

  it.each([
    ['a started slot', '2026-11-23T06:30:00Z', 'slot-in-past'],
    ['a slot before opening', '2026-11-24T04:30:00Z', 'slot-outside-opening-hours'],
    ['a slot off the grid', '2026-11-24T06:40:00Z', 'slot-outside-opening-hours'],
    ['a Sunday', '2026-11-29T06:30:00Z', 'slot-outside-opening-hours'],
    ['Saturday afternoon', '2026-11-28T10:30:00Z', 'slot-outside-opening-hours'],
    ['a holiday', '2026-12-12T06:30:00Z', 'centre-closed-holiday'],
    ['beyond the horizon', '2026-12-24T06:30:00Z', 'beyond-booking-horizon'],
  ])('refuses %s', (_name, start, code) => {
    expect(refusal(() => resolveSlot(centre, 'id-card-replacement', new Date(start), now, '/slotStart', '/service'))).toEqual({ code, field: '/slotStart' });
  });

  it('refuses services the centre does not book', () => {
    expect(refusal(() => resolveSlot(centre, 'sha-registration', new Date('2026-11-24T06:30:00Z'), now, '/slotStart', '/service'))).toEqual({
      code: 'service-not-offered',
      field: '/service',
    });
    expect(refusal(() => resolveSlot(centre, 'business-name-search', new Date('2026-11-24T06:30:00Z'), now, '/slotStart', '/service')).code).toBe('service-not-bookable');
  });

  it('checks a requested day: real, not past, within the horizon (the last day included)', () => {
    expect(() => checkBookableDate(centre, '2026-11-23', now, 'query:date')).not.toThrow();
    expect(() => checkBookableDate(centre, '2026-12-23', now, 'query:date')).not.toThrow();
    expect(refusal(() => checkBookableDate(centre, '2026-12-24', now, 'query:date')).code).toBe('beyond-booking-horizon');
    expect(refusal(() => checkBookableDate(centre, '2026-11-22', now, 'query:date')).code).toBe('date-in-past');
    expect(refusal(() => checkBookableDate(centre, '2026-11-31', now, 'query:date')).code).toBe('validation-failed');
  });
});
