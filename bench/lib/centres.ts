/**
 * Centres the bench creates for itself through PUT /v1/centres/{code} (admin): open every day
 * 00:00–23:59 so that walk-in tickets and bookings work whenever the bench runs, 30-minute slots,
 * a 30-day booking horizon, no holidays.
 */
import { randomBytes } from 'node:crypto';
import { requestJson } from './http';

export interface BenchCentreService {
  service: string;
  ticketLetter: string;
  slotCapacity: number;
}

export interface BenchCounter {
  code: string;
  services: string[];
}

/** The services of the demo catalogue that can be booked (bookable: true). */
export const BOOKABLE_SERVICES = ['id-card-replacement', 'good-conduct-certificate', 'ntsa-licence-renewal', 'sha-registration'] as const;

/** `BEN-<tag><8 hex>`: matches the centre-code rule, unique per run. */
export function benchCentreCode(tag: string): string {
  return `BEN-${tag}${randomBytes(4).toString('hex').toUpperCase()}`;
}

export async function createBenchCentre(
  /** The api to create it through (any deployment's). */
  stack: { api: { url: string } },
  adminToken: string,
  code: string,
  services: readonly BenchCentreService[],
  counters: readonly BenchCounter[] = [],
): Promise<void> {
  const { status, body } = await requestJson(`${stack.api.url}/v1/centres/${code}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminToken}` },
    body: {
      name: `Bench centre ${code}`,
      county: 'Nairobi',
      slotMinutes: 30,
      bookingHorizonDays: 30,
      noShowGraceMinutes: 15,
      openingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '23:59' })),
      holidays: [],
      services,
      counters: counters.map((counter) => ({ code: counter.code, name: `Counter ${counter.code}`, services: counter.services })),
    },
  });
  if (status !== 201) throw new Error(`PUT /v1/centres/${code} answered ${status}: ${JSON.stringify(body)}`);
}
