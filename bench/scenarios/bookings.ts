/**
 * `bookings` and `bookings-contended` (issue 5): POST /v1/bookings through the gateway.
 * - bookings: uncontended. Two bench centres × the four bookable services × 28 days × 32 slots;
 *   request i books combination i (round robin), each for another citizen, so no two requests in
 *   flight touch the same slot row.
 * - bookings-contended: every request for ONE slot of capacity 10,000 (the most a centre allows),
 *   each for another citizen; then a burst of 300 concurrent requests for a slot of capacity 20:
 *   exactly 20 must succeed and 280 get 409, and the slot row must say 20 booked.
 * bookings/s counts 201s only.
 */
import { day, slotAt } from '../../test/e2e/bookings.helpers';
import { benchCentreCode, BOOKABLE_SERVICES, createBenchCentre } from '../lib/centres';
import { watchCpu } from '../lib/cpu';
import { withClient } from '../lib/database';
import { watchStatements } from '../lib/probe/client';
import { recordRequests, requestCost } from '../lib/recorded-requests';
import type { LoadResult } from '../lib/load';
import type { Figure, Scenario } from '../lib/scenario';
import { gatewayStack, stackProcesses, type GatewayStack } from '../lib/stack';

const DAYS = 28;
const SLOT_TIMES = Array.from({ length: 32 }, (_, i) => `${String(6 + Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`);
const CONTENDED_CAPACITY = 10_000;
const SMALL_CAPACITY = 20;
const BURST = 300;

/** Citizens never repeat within a run: one active booking per citizen, service and day. */
let citizenSeq = 0;
function nextCitizen(): { idNumber: string; phone: string } {
  const n = ++citizenSeq;
  return { idNumber: String(30_000_000 + n), phone: `+2547${String(10_000_000 + n).slice(-8)}` };
}

function bookingRequest(stack: GatewayStack, makeBody: () => Record<string, unknown>) {
  return { url: stack.api.url, path: '/v1/bookings', headers: { authorization: `Bearer ${stack.channelToken}` }, makeBody };
}

function booked(load: LoadResult): number {
  return load.statusCodes['201'] ?? 0;
}

function bookingFigures(load: LoadResult): Figure[] {
  return [{ label: 'bookings/s (201s only)', value: (booked(load) / load.durationSec).toFixed(1) }];
}

/** Two bench centres × the four bookable services × DAYS days × the slot times. */
export const UNCONTENDED_COMBINATIONS = 2 * BOOKABLE_SERVICES.length * DAYS * SLOT_TIMES.length;

/**
 * Creates two bench centres through `api` and returns the bodies of the uncontended load: request i
 * books combination i (round robin), each for another citizen (also bench/tools/ab-api.ts --bookings).
 */
export async function uncontendedBookings(api: { url: string }, adminToken: string): Promise<() => Record<string, unknown>> {
  const centres = [benchCentreCode('U'), benchCentreCode('U')];
  for (const code of centres) {
    await createBenchCentre({ api }, adminToken, code, BOOKABLE_SERVICES.map((service, i) => ({ service, ticketLetter: String.fromCharCode(65 + i), slotCapacity: 10 })));
  }
  const combos: Array<{ centre: string; service: string; slotStart: string }> = [];
  for (let d = 1; d <= DAYS; d++) {
    const date = day(d);
    for (const time of SLOT_TIMES) for (const centre of centres) for (const service of BOOKABLE_SERVICES) combos.push({ centre, service, slotStart: slotAt(date, time) });
  }
  let next = 0;
  return () => ({ ...combos[next++ % combos.length], citizen: nextCitizen(), channel: 'portal' });
}

export const bookings: Scenario = {
  name: 'bookings',
  summary: 'POST /v1/bookings uncontended: every request another slot/centre/service combination, another citizen',
  async run(ctx) {
    const stack = await gatewayStack(ctx);
    const admin = await stack.deployment.token('admin', 'bench-admin');
    const makeBody = await uncontendedBookings(stack.api, admin);
    const request = bookingRequest(stack, makeBody);
    await ctx.warmUp(request);
    const statements = await watchStatements({ api: stack.api.probe, worker: stack.worker.probe });
    const cpu = watchCpu(stackProcesses(stack));
    const load = await ctx.load(request);
    const cpuReport = cpu.stop(load.requests);
    const window = await statements.stop(load.requests);
    const recorded = await recordRequests({ probe: stack.api.probe, request, databaseUrl: stack.deployment.databaseUrl, count: 3, expectStatus: 201 });
    return {
      target: `gateway api (pid ${stack.api.pid}) POST /v1/bookings, ${UNCONTENDED_COMBINATIONS} slot/centre/service combinations round robin`,
      load,
      figures: bookingFigures(load),
      metrics: { bookingsPerSec: booked(load) / load.durationSec },
      cpu: cpuReport,
      requestCost: requestCost(recorded, window),
      checks: [{ label: 'every booking accepted (201)', ok: load.non2xx === 0 && load.errors === 0, detail: `${JSON.stringify(load.statusCodes)}, ${load.errors} errors` }],
    };
  },
};

export const bookingsContended: Scenario = {
  name: 'bookings-contended',
  summary: `POST /v1/bookings all for one slot (capacity ${CONTENDED_CAPACITY}); then ${BURST} at once for a slot of capacity ${SMALL_CAPACITY}`,
  baseline: 'bookings',
  async run(ctx) {
    const stack = await gatewayStack(ctx);
    const admin = await stack.deployment.token('admin', 'bench-admin');
    const centre = benchCentreCode('C');
    const small = benchCentreCode('T');
    const service = BOOKABLE_SERVICES[0];
    await createBenchCentre(stack, admin, centre, [{ service, ticketLetter: 'A', slotCapacity: CONTENDED_CAPACITY }]);
    await createBenchCentre(stack, admin, small, [{ service, ticketLetter: 'A', slotCapacity: SMALL_CAPACITY }]);
    const date = day(2);
    const slot = (time: string) => bookingRequest(stack, () => ({ centre, service, slotStart: slotAt(date, time), citizen: nextCitizen(), channel: 'portal' }));
    // Warm-up on another slot: the measured slot starts empty.
    await ctx.warmUp(slot('09:00'));
    const cpu = watchCpu(stackProcesses(stack));
    const load = await ctx.load(slot('10:00'));
    const cpuReport = cpu.stop(load.requests);
    const contendedRow = await slotRow(stack, centre, slotAt(date, '10:00'));

    const burst = await burstForSmallSlot(stack, small, service, slotAt(date, '11:00'));
    const smallRow = await slotRow(stack, small, slotAt(date, '11:00'));
    return {
      cpu: cpuReport,
      target: `gateway api (pid ${stack.api.pid}) POST /v1/bookings, all for ${centre} ${service} ${slotAt(date, '10:00')}`,
      load,
      figures: [
        ...bookingFigures(load),
        { label: `contended slot row after (booked / capacity)`, value: `${contendedRow.booked} / ${contendedRow.capacity}` },
        { label: `${BURST} concurrent for capacity ${SMALL_CAPACITY}: answers`, value: `${JSON.stringify(burst.codes)} in ${burst.ms.toFixed(0)} ms` },
      ],
      checks: [
        {
          // autocannon stops with requests in flight: the server may still book those.
          label: 'contended: the slot row holds every 201 (plus at most the requests in flight at the stop), never over capacity',
          ok: contendedRow.booked >= booked(load) && contendedRow.booked <= booked(load) + load.connections && contendedRow.booked <= contendedRow.capacity && load.errors === 0,
          detail: `${booked(load)} × 201, row booked ${contendedRow.booked} of ${contendedRow.capacity}; ${JSON.stringify(load.statusCodes)}`,
        },
        {
          label: `capacity ${SMALL_CAPACITY}: exactly ${SMALL_CAPACITY} × 201 and ${BURST - SMALL_CAPACITY} × 409, slot row ${SMALL_CAPACITY} booked`,
          ok: burst.codes['201'] === SMALL_CAPACITY && burst.codes['409'] === BURST - SMALL_CAPACITY && smallRow.booked === SMALL_CAPACITY && smallRow.active === SMALL_CAPACITY,
          detail: `${JSON.stringify(burst.codes)}; row booked ${smallRow.booked} of ${smallRow.capacity}, ${smallRow.active} active bookings`,
        },
      ],
      notes: ['In the contended run every request updates the same appointment_slots row: they queue on its row lock.'],
    };
  },
};

async function burstForSmallSlot(stack: GatewayStack, centre: string, service: string, slotStart: string): Promise<{ codes: Record<string, number>; ms: number }> {
  const started = performance.now();
  const statuses = await Promise.all(
    Array.from({ length: BURST }, async (_, i) => {
      const response = await fetch(`${stack.api.url}/v1/bookings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.channelToken}`, 'idempotency-key': `bench-burst-${centre}-${i}` },
        body: JSON.stringify({ centre, service, slotStart, citizen: nextCitizen(), channel: 'portal' }),
        signal: AbortSignal.timeout(60_000),
      });
      await response.arrayBuffer();
      return response.status;
    }),
  );
  const codes: Record<string, number> = {};
  for (const status of statuses) codes[status] = (codes[status] ?? 0) + 1;
  return { codes, ms: performance.now() - started };
}

async function slotRow(stack: GatewayStack, centre: string, slotStart: string): Promise<{ booked: number; capacity: number; active: number }> {
  return withClient(stack.deployment.databaseUrl, async (client) => {
    const slot = await client.query<{ booked: number; capacity: number }>(
      'SELECT booked, capacity FROM appointment_slots WHERE centre_code = $1 AND slot_start = $2',
      [centre, slotStart],
    );
    const active = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM bookings WHERE centre_code = $1 AND slot_start = $2 AND status IN ('booked', 'checked_in')`,
      [centre, slotStart],
    );
    return { booked: slot.rows[0]?.booked ?? 0, capacity: slot.rows[0]?.capacity ?? 0, active: Number(active.rows[0].n) };
  });
}
