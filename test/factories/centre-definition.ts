import type { CentreDefinition } from '../../contracts/src/message.types';

/**
 * A PUT /v1/centres/{code} body for a centre open every day 00:00–23:59 (so walk-in tickets and
 * bookings work whatever the hour a test or the bench runs), 30-minute slots, a 30-day booking
 * horizon, no holidays. `counters` get the names `Counter <code>`.
 */
export function roundTheClockCentre(
  name: string,
  services: Readonly<NonNullable<CentreDefinition['services']>>,
  counters: ReadonlyArray<{ code: string; services: string[] }>,
): CentreDefinition {
  return {
    name,
    county: 'Nairobi',
    slotMinutes: 30,
    bookingHorizonDays: 30,
    noShowGraceMinutes: 15,
    openingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '23:59' })),
    holidays: [],
    services: [...services],
    counters: counters.map((counter) => ({ code: counter.code, name: `Counter ${counter.code}`, services: counter.services })),
  };
}
