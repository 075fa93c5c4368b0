import { localDate } from '../../core/centres/domain/local-time';
import type { TestApp } from '../factories/app';
import { CLOCK_SCENARIOS, NAIROBI, SettableClock } from '../factories/clock';
import type { TestDatabase } from '../factories/database';
import { slotAt } from './bookings.helpers';
import { call, centreCode, ID_CARD, takeTicket, startQueueWorld, type QueueWorld } from './queue.helpers';

/**
 * What a centre open 08:00–17:00 does at the two instants every clock-sensitive suite runs at
 * (test/factories/clock.ts): at Sunday 02:00 it refuses walk-ins (409 `centre-closed`, nothing
 * stored) but books a slot later that day; at Tuesday 10:00 it issues the ticket. The app runs on
 * a clock set to the instant, so the outcome is the same whenever CI runs.
 */
describe.each(CLOCK_SCENARIOS)('a centre $name', ({ at, walkInsOpen }) => {
  let db: TestDatabase;
  let app: TestApp;
  let world: QueueWorld;
  const clock = new SettableClock(at);
  const centre = centreCode();
  const today = localDate(at, NAIROBI);
  let kiosk: string;
  let channel: string;

  beforeAll(async () => {
    world = await startQueueWorld({ clock, centre, slotCapacity: 2 });
    ({ db, app } = world);
    kiosk = await app.token('channel', { subject: 'kiosk-hours' });
    channel = await app.token('channel', { subject: 'portal-hours' });
  });

  afterAll(async () => {
    await world?.close();
  });

  const stored = async () =>
    (await db.pool.query(`SELECT (SELECT count(*) FROM queue_tickets) AS tickets, (SELECT count(*) FROM queue_events) AS events`)).rows[0];

  if (walkInsOpen) {
    it('issues a walk-in ticket, first in the queue', async () => {
      const ticket = await takeTicket(app, kiosk, centre, { service: ID_CARD });
      expect(ticket.status).toBe(201);
      expect(ticket.body).toMatchObject({ number: 'A001', state: 'waiting', position: 1, arrivedAt: at.toISOString() });
    });
  } else {
    it('refuses a walk-in with 409 centre-closed, saying when it opens, and stores nothing', async () => {
      const before = await stored();
      const refused = await takeTicket(app, kiosk, centre, { service: ID_CARD });
      expect(refused.status).toBe(409);
      expect(refused.contentType).toContain('application/problem+json');
      expect(refused.body.type).toMatch(/centre-closed$/);
      expect(refused.body.detail).toContain('opens at 08:00');
      expect(await stored()).toEqual(before);
    });
  }

  it('books a slot later the same day, and no longer offers it once full', async () => {
    const slot = slotAt(today, '11:30');
    const listed = await call(app, 'GET', `/v1/centres/${centre}/slots?service=${ID_CARD}&date=${today}`, channel);
    expect(listed.status).toBe(200);
    // Only slots not yet started: all of them at 02:00, from 10:30 on at 10:00.
    expect(listed.body.slots[0].start).toBe(new Date(slotAt(today, walkInsOpen ? '10:30' : '08:00')).toISOString());
    for (const n of [1, 2]) {
      const booked = await call(app, 'POST', '/v1/bookings', channel, {
        centre,
        service: ID_CARD,
        slotStart: slot,
        citizen: { idNumber: String(31_000_000 + n), phone: `+25471200000${n}` },
        channel: 'portal',
      }, { 'idempotency-key': `hours-${n}` });
      expect(booked.status).toBe(201);
      expect(booked.body.reference).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    }
    const after = await call(app, 'GET', `/v1/centres/${centre}/slots?service=${ID_CARD}&date=${today}`, channel);
    expect(after.body.slots.map((s: { start: string }) => s.start)).not.toContain(new Date(slot).toISOString());
  });
});
