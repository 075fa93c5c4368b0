/**
 * What the traffic sends: transactions to the three REST agencies (payloads from the catalogue's
 * own `ok/` fixtures, a different citizen each time), and bookings of a few small slots at one
 * demo centre, so that many citizens compete for each place.
 */
import { randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { requestJson } from '../../bench/lib/http';
import { nrbEnvelope } from '../../test/e2e/transactions.helpers';
import type { ChaosAgency } from './stack';
import type { PlannedRequest } from './traffic';

export const BOOKING_CENTRE = 'NRB-GPO';
export const BOOKABLE_SERVICES = ['id-card-replacement', 'sha-registration'] as const;

/** Share of the transaction traffic per agency. */
const AGENCY_MIX: readonly { agency: ChaosAgency; service: string; weight: number }[] = [
  { agency: 'nrb', service: 'id-card-replacement', weight: 5 },
  { agency: 'sha', service: 'sha-registration', weight: 3 },
  { agency: 'brs', service: 'business-name-search', weight: 2 },
];

export function transactionPlanner(catalogueDir: string): () => PlannedRequest {
  const payloads = new Map(AGENCY_MIX.map((m) => [m.service, okFixtures(catalogueDir, m.agency, m.service)]));
  const totalWeight = AGENCY_MIX.reduce((sum, m) => sum + m.weight, 0);
  return () => {
    let pick = randomInt(totalWeight);
    const mix = AGENCY_MIX.find((m) => (pick -= m.weight) < 0) ?? AGENCY_MIX[0];
    const citizen = randomCitizen();
    const body =
      mix.agency === 'nrb'
        ? { ...nrbEnvelope({ idNumber: citizen.idNumber }), citizen }
        : {
            service: mix.service,
            channel: 'portal',
            citizen,
            payload: withCitizen(pickOne(payloads.get(mix.service) ?? []), citizen),
          };
    return { kind: 'transaction', target: mix.agency, path: '/v1/transactions', body };
  };
}

export interface BookableSlot {
  service: string;
  start: string;
}

/**
 * Free slots at BOOKING_CENTRE, alternating the bookable services, from the next open days on,
 * until `count` are found (or the booking horizon ends); capacity is first set to `placesPerSlot`
 * (admin PUT …/capacity) for both services, before anyone books.
 */
export async function prepareSlots(
  apiUrl: string,
  adminToken: string,
  options: { placesPerSlot: number; count: number },
): Promise<BookableSlot[]> {
  const auth = { authorization: `Bearer ${adminToken}` };
  for (const service of BOOKABLE_SERVICES) {
    const capacity = await requestJson(`${apiUrl}/v1/centres/${BOOKING_CENTRE}/capacity`, {
      method: 'PUT',
      headers: auth,
      body: { service, slotCapacity: options.placesPerSlot },
    });
    if (capacity.status !== 200) throw new Error(`PUT capacity for ${service}: ${capacity.status} ${JSON.stringify(capacity.body)}`);
  }
  const slots: BookableSlot[] = [];
  for (let days = 1; days <= 28 && slots.length < options.count; days++) {
    const date = new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
    const perService = await Promise.all(BOOKABLE_SERVICES.map((service) => freeSlots(apiUrl, adminToken, service, date)));
    for (let i = 0; i < Math.max(...perService.map((s) => s.length)); i++) {
      BOOKABLE_SERVICES.forEach((service, s) => {
        if (perService[s][i]) slots.push({ service, start: perService[s][i] });
      });
    }
  }
  if (slots.length === 0) throw new Error(`no free slots at ${BOOKING_CENTRE} in the next 28 days`);
  return slots.slice(0, options.count);
}

async function freeSlots(apiUrl: string, token: string, service: string, date: string): Promise<string[]> {
  const { status, body } = await requestJson<{ slots?: { start: string; available: number }[] }>(
    `${apiUrl}/v1/centres/${BOOKING_CENTRE}/slots?service=${service}&date=${date}`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  return status === 200 ? (body.slots ?? []).filter((s) => s.available > 0).map((s) => s.start) : [];
}

/**
 * Each call: a burst of `burst` bookings (different citizens) for one slot, sent at once, so that
 * they race for its places; the next call takes the next slot (after the last, the first again).
 */
export function bookingPlanner(slots: readonly BookableSlot[], burst: number): () => PlannedRequest[] {
  let next = 0;
  return () => {
    const slot = slots[next++ % slots.length];
    return Array.from({ length: burst }, () => ({
      kind: 'booking' as const,
      target: `${slot.service}@${slot.start}`,
      path: '/v1/bookings',
      body: { centre: BOOKING_CENTRE, service: slot.service, slotStart: slot.start, citizen: randomCitizen(), channel: 'portal' },
    }));
  };
}

/** A citizen not seen before (8-digit ID; one active booking per citizen, service and day). */
function randomCitizen(): { idNumber: string; phone: string } {
  return { idNumber: String(randomInt(10_000_000, 100_000_000)), phone: `+2547${String(randomInt(0, 100_000_000)).padStart(8, '0')}` };
}

function okFixtures(catalogueDir: string, agency: string, service: string): Record<string, unknown>[] {
  const dir = path.join(catalogueDir, agency, 'fixtures', `${service}.request`, 'ok');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  if (files.length === 0) throw new Error(`no ok fixtures in ${dir}`);
  return files.map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Record<string, unknown>);
}

/** The fixture with this citizen's ID and phone where the payload carries them. */
function withCitizen(payload: Record<string, unknown> | undefined, citizen: { idNumber: string; phone: string }): Record<string, unknown> {
  const copy = { ...(payload ?? {}) };
  if ('idNumber' in copy) copy.idNumber = citizen.idNumber;
  if ('phone' in copy) copy.phone = citizen.phone;
  return copy;
}

function pickOne<T>(items: readonly T[]): T {
  return items[randomInt(items.length)];
}
