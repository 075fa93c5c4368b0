/** Centres the bench creates for itself through PUT /v1/centres/{code} (admin), open every day 00:00–23:59 (test/factories/centre-definition.ts). */
import { randomBytes } from 'node:crypto';
import { roundTheClockCentre } from '../../test/factories/centre-definition';
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
    body: roundTheClockCentre(`Bench centre ${code}`, services, counters),
  });
  if (status !== 201) throw new Error(`PUT /v1/centres/${code} answered ${status}: ${JSON.stringify(body)}`);
}
