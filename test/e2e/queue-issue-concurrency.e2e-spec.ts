import { randomUUID } from 'node:crypto';
import { AuditLog } from '../../core/audit/audit-log';
import { TicketRepository, type NewTicket } from '../../core/walk-in/ticket.repository';
import type { TestDatabase } from '../factories/database';
import type { TestApp } from '../factories/app';
import { describeWithPostgres } from '../factories/services';
import { inNairobi as at, SettableClock } from '../factories/clock';
import { BUSINESS, call, centreCode, createCentre, ID_CARD, takeTicket, startQueueWorld, type QueueWorld } from './queue.helpers';
import { expectTimeOrderedUuidAt } from '../factories/uuid';

const DAY = '2026-11-24';
const CONCURRENT = 50;

/**
 * Issuing walk-in tickets on real PostgreSQL under real concurrency: the day's counter (one
 * statement per ticket, issue 13) never hands out a number twice or skips one, each ticket has
 * exactly one `issued` queue event and one audit event of the same shape as before, and a replayed
 * Idempotency-Key or booking, however concurrent, consumes no number.
 */
describeWithPostgres('issuing walk-in tickets concurrently', () => {
  let db: TestDatabase;
  let app: TestApp;
  let world: QueueWorld;
  const clock = new SettableClock(at(DAY, '10:00'));
  let centre: string;
  let kiosk: string;

  beforeAll(async () => {
    world = await startQueueWorld({ clock, slotCapacity: 2 });
    ({ db, app, centre } = world);
    kiosk = await app.token('channel', { subject: 'kiosk-1' });
  });

  afterAll(async () => {
    await world?.close();
  });

  const lastNumber = async (letter: string): Promise<number> =>
    (await db.pool.query<{ n: number }>(`SELECT max(number)::int AS n FROM queue_tickets WHERE centre_code = $1 AND letter = $2`, [centre, letter])).rows[0].n;

  it(`numbers ${CONCURRENT} concurrent walk-ins 1..${CONCURRENT}, each with one queue event and one audit event`, async () => {
    const replies = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => takeTicket(app, kiosk, centre, { service: ID_CARD, priority: i % 5 === 0 ? 'elderly' : 'none' })));
    expect(replies.map((r) => r.status)).toEqual(Array(CONCURRENT).fill(201));
    const numbers = replies.map((r) => r.body.number as string).sort();
    expect(numbers).toEqual(Array.from({ length: CONCURRENT }, (_, i) => `A${String(i + 1).padStart(3, '0')}`));

    const { rows } = await db.pool.query<{ id: string; number: number; priority_class: string; events: Array<{ type: string; service_code: string; actor: string; data: unknown }> }>(
      `SELECT t.id, t.number, t.priority_class,
              (SELECT json_agg(json_build_object('type', e.type, 'service_code', e.service_code, 'actor', e.actor, 'data', e.data)) FROM queue_events e WHERE e.ticket_id = t.id) AS events
         FROM queue_tickets t WHERE t.centre_code = $1 ORDER BY t.number`,
      [centre],
    );
    expect(rows.map((r) => r.number)).toEqual(Array.from({ length: CONCURRENT }, (_, i) => i + 1));
    // Each ticket's id is a UUIDv7 carrying the clock's time of issue (core/shared/uuid.ts).
    for (const row of rows) expectTimeOrderedUuidAt(row.id, at(DAY, '10:00'));
    const audit = app.app.get(AuditLog);
    const arrivedAt = at(DAY, '10:00').toISOString();
    for (const row of rows) {
      const number = `A${String(row.number).padStart(3, '0')}`;
      const data = { number, kind: 'walk_in', priority: row.priority_class, arrivedAt };
      expect(row.events).toEqual([{ type: 'issued', service_code: ID_CARD, actor: 'kiosk-1', data }]);
      const history = await audit.history(db.pool, 'ticket', row.id);
      expect(history.map((e) => [e.type, e.actor, e.occurredAt.toISOString(), e.data])).toEqual([
        ['issued', 'kiosk-1', arrivedAt, { centre, service: ID_CARD, number, kind: 'walk_in', priority: row.priority_class, arrivedAt }],
      ]);
    }
    expect(await audit.verify(db.pool)).toMatchObject({ ok: true, breaks: [] });
  });

  it('consumes no number for a replayed key, however concurrent, and gives the one ticket back', async () => {
    const tickets = app.app.get(TicketRepository);
    const before = await lastNumber('A');
    const now = at(DAY, '10:05');
    const base = { centreCode: centre, localDay: DAY, arrivedAt: now, issuedBy: 'kiosk-1', idempotencyScope: 'kiosk-1', idempotencyKey: `replayed-${randomUUID()}` };
    const plan = { serviceCode: ID_CARD, letter: 'A', priorityClass: 'none' as const, bookingRef: null, slotStart: null };
    const event = (t: NewTicket) => ({ type: 'issued' as const, centreCode: centre, localDay: DAY, serviceCode: t.serviceCode, occurredAt: now, actor: 'kiosk-1', data: { kind: 'walk_in', priority: 'none', arrivedAt: now.toISOString() } });
    // Straight to the repository (the HTTP layer answers a repeated key on its own): 10 first requests at once.
    const issued = await Promise.all(Array.from({ length: 10 }, () => tickets.issue({ id: randomUUID(), ...base }, plan, event)));
    expect(issued.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(issued.map((r) => r.ticket.id)).size).toBe(1);
    expect(issued[0].ticket.number).toBe(before + 1);
    const again = await tickets.issue({ id: randomUUID(), ...base }, plan, event);
    expect(again).toMatchObject({ created: false, ticket: { id: issued[0].ticket.id } });

    const next = await takeTicket(app, kiosk, centre, { service: ID_CARD });
    expect(next.body.number).toBe(`A${String(before + 2).padStart(3, '0')}`);
    const events = await db.pool.query(`SELECT 1 FROM queue_events WHERE ticket_id = $1`, [issued[0].ticket.id]);
    expect(events.rowCount).toBe(1);
  });

  it('checks a booking in once under concurrent check-ins, with one number, its event and its audit event (the transaction path)', async () => {
    clock.set(at(DAY, '11:00'));
    const booked = await call(app, 'POST', '/v1/bookings', kiosk,
      { centre, service: ID_CARD, slotStart: at(DAY, '11:30').toISOString(), citizen: { idNumber: '23456789', phone: '+254712345678' }, channel: 'portal' },
      { 'idempotency-key': randomUUID() });
    expect(booked.status).toBe(201);
    const before = await lastNumber('A');
    const checkIns = await Promise.all(Array.from({ length: 5 }, () => takeTicket(app, kiosk, centre, { bookingReference: booked.body.reference })));
    // The booking's row lock serialises them: one checks in; the others get its ticket back (200), or,
    // when they were already waiting on that lock, find the booking no longer booked (409).
    expect(checkIns.filter((r) => r.status === 201)).toHaveLength(1);
    const ticket = checkIns.find((r) => r.status === 201)!.body;
    for (const other of checkIns.filter((r) => r.status !== 201)) {
      if (other.status === 200) expect(other.body.id).toBe(ticket.id);
      else expect([other.status, other.body.type]).toEqual([409, expect.stringMatching(/booking-not-active$/)]);
    }
    // Checking in again afterwards gives the same ticket back, with no number used.
    const again = await takeTicket(app, kiosk, centre, { bookingReference: booked.body.reference });
    expect(again).toMatchObject({ status: 200, body: { id: ticket.id } });
    const number = `A${String(before + 1).padStart(3, '0')}`;
    expect(ticket).toMatchObject({ number, priority: 'appointment', bookingReference: booked.body.reference });
    expect(await lastNumber('A')).toBe(before + 1);
    // The next walk-in takes the very next number: no check-in that lost or was refused used one up.
    const next = await takeTicket(app, kiosk, centre, { service: ID_CARD });
    expect(next.body.number).toBe(`A${String(before + 2).padStart(3, '0')}`);

    const arrivedAt = at(DAY, '11:00').toISOString();
    const events = await db.pool.query(`SELECT type, data FROM queue_events WHERE ticket_id = $1`, [ticket.id]);
    expect(events.rows).toEqual([{ type: 'issued', data: { number, kind: 'appointment', priority: 'appointment', arrivedAt } }]);
    const audit = app.app.get(AuditLog);
    expect((await audit.history(db.pool, 'ticket', ticket.id)).map((e) => [e.type, e.data])).toEqual([
      ['issued', { centre, service: ID_CARD, number, kind: 'appointment', priority: 'appointment', arrivedAt }],
    ]);
    expect(await audit.verify(db.pool)).toMatchObject({ ok: true, breaks: [] });
  });
  it('refuses a key used again at another centre (422, no ticket there), instead of answering with the first centre\'s ticket', async () => {
    const other = centreCode();
    await createCentre(app, other);
    const key = randomUUID();
    const first = await takeTicket(app, kiosk, centre, { service: ID_CARD }, key);
    expect(first.status).toBe(201);
    // The same key and body, to another centre's path: another request.
    const elsewhere = await takeTicket(app, kiosk, other, { service: ID_CARD }, key);
    expect([elsewhere.status, elsewhere.body.type]).toEqual([422, expect.stringMatching(/idempotency-key-reused$/)]);
    expect((await db.pool.query('SELECT 1 FROM queue_tickets WHERE centre_code = $1', [other])).rowCount).toBe(0);
    // The same request again is still its replay.
    const again = await takeTicket(app, kiosk, centre, { service: ID_CARD }, key);
    expect([again.status, again.body.id]).toEqual([201, first.body.id]);
  });

  it("still refuses a key used again for another request once retention has purged the key's record", async () => {
    const other = centreCode();
    await createCentre(app, other);
    const key = randomUUID();
    const first = await takeTicket(app, kiosk, centre, { service: ID_CARD }, key);
    expect(first.status).toBe(201);
    // What the retention sweep does after the key's time (core/privacy): the ticket is all that is left of the key.
    const purge = () => db.pool.query('DELETE FROM idempotency_keys WHERE key = $1', [key]);
    await purge();
    const tickets = async (code: string) => Number((await db.pool.query('SELECT count(*) FROM queue_tickets WHERE centre_code = $1', [code])).rows[0].count);
    const before = await tickets(centre);
    for (const [code, body] of [[other, { service: ID_CARD }], [centre, { service: BUSINESS }], [centre, { service: ID_CARD, priority: 'elderly' }]] as const) {
      const reused = await takeTicket(app, kiosk, code, body, key);
      expect([reused.status, reused.body.type, reused.body.id]).toEqual([422, expect.stringMatching(/idempotency-key-reused$/), undefined]);
      await purge();
    }
    expect([await tickets(other), await tickets(centre)]).toEqual([0, before]);
    // The same request is still answered with its ticket.
    const again = await takeTicket(app, kiosk, centre, { service: ID_CARD }, key);
    expect([again.status < 300, again.body.id]).toEqual([true, first.body.id]);
  });
});
