import { randomUUID } from 'node:crypto';
import type { TestApp } from '../factories/app';
import { inNairobi as at, SettableClock } from '../factories/clock';
import { BUSINESS, call, ID_CARD, takeTicket, startQueueWorld, type QueueWorld } from './queue.helpers';

const DAY = '2026-11-24';

/**
 * A scripted morning on a fixed clock, driven through the API, and its KPIs checked against
 * figures worked out by hand (in the comments). p90 is PostgreSQL's percentile_cont:
 * the value at rank 0.9·(n−1), interpolated linearly.
 */
describe('queue KPIs of a scripted day', () => {
  let app: TestApp;
  let world: QueueWorld;
  const clock = new SettableClock(at('2026-11-23', '12:00'));
  let centre: string;
  let manager: string;

  beforeAll(async () => {
    world = await startQueueWorld({ clock, slotCapacity: 5 });
    ({ app, centre } = world);
    manager = await app.token('manager');
    await playTheDay();
  });

  afterAll(async () => {
    await world?.close();
  });

  async function playTheDay(): Promise<void> {
    const kiosk = await app.token('channel', { subject: 'kiosk' });
    const officer1 = await app.token('officer', { centre, subject: 'officer-1' });
    const officer2 = await app.token('officer', { centre, subject: 'officer-2' });
    const ids: Record<string, string> = {};
    const step = async (time: string, action: () => Promise<{ status: number; body: { ticket?: { number: string }; number?: string } }>, expected: number, number?: string) => {
      clock.set(at(DAY, time));
      const reply = await action();
      if (reply.status !== expected) throw new Error(`${time}: ${reply.status} ${JSON.stringify(reply.body)}`);
      const got = reply.body.ticket?.number ?? reply.body.number;
      if (number && got !== number) throw new Error(`${time}: expected ${number}, got ${got}`);
    };
    const issue = (name: string, body: unknown) => async () => {
      const reply = await takeTicket(app, kiosk, centre, body);
      ids[name] = reply.body.id;
      return reply;
    };
    const counter = (n: string, token: string, action: string) => () => call(app, 'POST', `/v1/centres/${centre}/counters/${n}/${action}`, token);
    const ticket = (name: string, token: string, action: string, body?: unknown) => () => call(app, 'POST', `/v1/tickets/${ids[name]}/${action}`, token, body);

    // The day before: an appointment for 09:00.
    const booking = await call(app, 'POST', '/v1/bookings', kiosk,
      { centre, service: ID_CARD, slotStart: at(DAY, '09:00').toISOString(), citizen: { idNumber: '34567890', phone: '+254722000111' }, channel: 'ussd' },
      { 'idempotency-key': randomUUID() });
    if (booking.status !== 201) throw new Error(`booking: ${booking.status} ${JSON.stringify(booking.body)}`);

    await step('08:00', counter('1', officer1, 'open'), 201);
    await step('08:05', issue('T1', { service: ID_CARD }), 201, 'A001');
    await step('08:10', issue('T2', { service: ID_CARD, priority: 'elderly' }), 201, 'A002');
    await step('08:12', issue('T3', { service: BUSINESS }), 201, 'B001');
    await step('08:15', counter('1', officer1, 'call-next'), 200, 'A002'); //    T2 waited 300 s
    await step('08:20', issue('T4', { service: ID_CARD }), 201, 'A003');
    await step('08:25', ticket('T2', officer1, 'complete'), 200); //              T2 served 600 s
    await step('08:26', counter('1', officer1, 'call-next'), 200, 'A001'); //    T1 waited 1260 s
    await step('08:26', ticket('T2', kiosk, 'feedback', { rating: 4 }), 201);
    await step('08:30', counter('2', officer2, 'open'), 201);
    await step('08:31', counter('2', officer2, 'call-next'), 200, 'A003'); //    T4 waited 660 s
    await step('08:34', ticket('T1', officer1, 'complete'), 200); //              T1 served 480 s
    await step('08:35', ticket('T1', kiosk, 'feedback', { rating: 5 }), 201);
    await step('08:36', ticket('T4', officer2, 'no-show'), 200); //               counter 2 busy 300 s
    await step('08:40', counter('1', officer1, 'call-next'), 200, 'B001'); //    T3 waited 1680 s
    await step('08:45', ticket('T3', officer1, 'transfer', { service: ID_CARD }), 200); // counter 1 busy 300 s
    await step('08:50', issue('T5', { bookingReference: booking.body.reference }), 201, 'A004');
    await step('08:52', counter('2', officer2, 'call-next'), 200, 'A004'); //    appointment first: T5 waited 120 s
    await step('08:55', counter('1', officer1, 'call-next'), 200, 'B001'); //    T3 again: not a first call
    await step('09:00', ticket('T5', officer2, 'complete'), 200); //              T5 served 480 s
    await step('09:01', ticket('T5', kiosk, 'feedback', { rating: 2 }), 201);
    await step('09:05', ticket('T3', officer1, 'complete'), 200); //              T3 served 600 s
    await step('09:10', counter('1', officer1, 'close'), 200); //                 session 4200 s
    await step('09:20', counter('2', officer2, 'close'), 200); //                 session 3000 s
  }

  it('derives the day, each counter, its hours and each officer from the events', async () => {
    const reply = await call(app, 'GET', `/v1/centres/${centre}/kpis?date=${DAY}`, manager);
    expect(reply.status).toBe(200);
    const kpis = reply.body;
    expect(kpis).toMatchObject({ centre, date: DAY, timeZone: 'Africa/Nairobi' });
    expect(kpis.day).toEqual({
      ticketsIssued: 5,
      walkIns: 4,
      bookings: 1,
      served: 4,
      noShows: 1,
      // first calls 120, 300, 660, 1260, 1680: mean 804; p90 at rank 3.6 = 1260 + 0.6·420
      waitingSeconds: { count: 5, mean: 804, p90: 1512 },
      // 480, 480, 600, 600: mean 540; p90 at rank 2.7 = 600
      serviceSeconds: { count: 4, mean: 540, p90: 600 },
      satisfaction: { responses: 3, meanRating: 3.67 },
      sessionSeconds: 7200,
      // busy: counter 1 600 + 480 + 300 + 600, counter 2 300 + 480 = 2760
      idleSeconds: 4440,
    });

    const [one, two] = kpis.counters;
    expect(kpis.counters.map((c: { counter: string }) => c.counter)).toEqual(['1', '2']);
    expect(one).toMatchObject({
      served: 3,
      noShows: 0,
      waitingSeconds: { count: 3, mean: 1080, p90: 1596 }, // 300, 1260, 1680; rank 1.8
      serviceSeconds: { count: 3, mean: 560, p90: 600 },
      satisfaction: { responses: 2, meanRating: 4.5 },
      sessionSeconds: 4200,
      idleSeconds: 2220,
    });
    expect(two).toMatchObject({
      served: 1,
      noShows: 1,
      waitingSeconds: { count: 2, mean: 390, p90: 606 }, // 120, 660; rank 0.9
      serviceSeconds: { count: 1, mean: 480, p90: 480 },
      satisfaction: { responses: 1, meanRating: 2 },
      sessionSeconds: 3000,
      idleSeconds: 2220,
    });
    expect(one.hours.map((h: { hour: number; served: number; serviceSeconds: { mean: number } }) => [h.hour, h.served, h.serviceSeconds.mean])).toEqual([
      [8, 2, 540],
      [9, 1, 600],
    ]);
    expect(one.hours[0].waitingSeconds.count).toBe(3);
    expect(one.hours[0]).not.toHaveProperty('sessionSeconds');

    expect(kpis.officers).toEqual([
      expect.objectContaining({ officer: 'officer-1', sessionSeconds: 4200, idleSeconds: 2220, served: 3 }),
      expect.objectContaining({ officer: 'officer-2', sessionSeconds: 3000, idleSeconds: 2220, served: 1 }),
    ]);
  });

  it('gives the same figures for all centres over a range, with totals', async () => {
    const reply = await call(app, 'GET', `/v1/kpis?from=2026-11-23&to=${DAY}`, await app.token('auditor'));
    expect(reply.status).toBe(200);
    const day = (await call(app, 'GET', `/v1/centres/${centre}/kpis?date=${DAY}`, manager)).body.day;
    expect(reply.body.total).toEqual(day);
    expect(reply.body.centres).toEqual([{ centre, total: day, days: [{ date: DAY, ...day }] }]);
  });

  it('refuses a bad range, and officers', async () => {
    const backwards = await call(app, 'GET', `/v1/kpis?from=${DAY}&to=2026-11-01`, manager);
    expect(backwards.status).toBe(422);
    expect(backwards.body.errors).toEqual([{ field: 'query:from', message: 'must not be after to' }]);
    const missing = await call(app, 'GET', '/v1/kpis?from=2026-02-30', manager);
    expect(missing.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['query:from', 'query:to']);
    const officer = await app.token('officer', { centre });
    expect((await call(app, 'GET', `/v1/centres/${centre}/kpis?date=${DAY}`, officer)).status).toBe(403);
  });
});
