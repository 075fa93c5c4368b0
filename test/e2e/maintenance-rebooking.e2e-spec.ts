import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';
import { startTestApp, type TestApp } from '../factories/app';
import { inNairobi, SettableClock } from '../factories/clock';
import { bookingBody, call, centreBody, citizen, slotAt } from './bookings.helpers';

const TODAY = '2026-03-03'; // a Tuesday
const CENTRE = 'NRB-MNT1';
const SERVICE = 'id-card-replacement';
const at = (time: string) => inNairobi(TODAY, time).toISOString();

/**
 * Issue 14.2: maintenance windows move appointments, not citizens. Scheduling the agency's
 * maintenance closes the slots inside the window, and each citizen booked in it gets one SMS with
 * the nearest free time after it; a manager lists them (dry run), then moves them all in one
 * audited action with capacity exact; the same action cancels a centre's afternoon when it closes.
 */
describeWithPostgres('maintenance windows move appointments', () => {
  let db: TestDatabase;
  let app: TestApp;
  let admin: string;
  let manager: string;
  const clock = new SettableClock(inNairobi(TODAY, '08:00'));
  const references: Record<number, string> = {};

  const slotsBooked = async () =>
    (await db.pool.query<{ slot_start: Date; capacity: number; booked: number }>('SELECT slot_start, capacity, booked FROM appointment_slots WHERE centre_code = $1 ORDER BY slot_start', [CENTRE])).rows.map(
      (r) => ({ start: r.slot_start.toISOString(), capacity: r.capacity, booked: r.booked }),
    );
  const bookingsNow = async () =>
    (await db.pool.query<{ reference: string; slot_start: Date; status: string }>('SELECT reference, slot_start, status FROM bookings WHERE centre_code = $1', [CENTRE])).rows;
  const sms = async (template: string) =>
    (await db.pool.query<{ to_hash: string; body: string }>('SELECT to_hash, body FROM notifications WHERE template = $1 ORDER BY id', [template])).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp({ databaseUrl: db.url, clock });
    admin = await app.token('admin');
    manager = await app.token('manager', { centre: CENTRE, subject: 'manager-achieng' });
    const services = [{ service: SERVICE, ticketLetter: 'A', slotCapacity: 2 }];
    expect((await call(app, 'PUT', `/v1/centres/${CENTRE}`, admin, { ...centreBody('2026-12-25', services), name: 'Huduma Centre Maintenance Test' })).status).toBe(201);
    // Two at 10:00 (full), one at 10:30, one at 11:00 inside the window; one at 12:00 and one at 13:00 after it.
    for (const [n, time] of [[1, '10:00'], [2, '10:00'], [3, '10:30'], [4, '11:00'], [5, '12:00'], [6, '13:00']] as const) {
      clock.advance(1000); // booked one after the other: the same slot goes in booking order
      const reply = await call(app, 'POST', '/v1/bookings', admin, bookingBody(CENTRE, slotAt(TODAY, time), n, SERVICE), `mnt-${n}`);
      expect(reply.status).toBe(201);
      references[n] = reply.body.reference;
    }
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('closes the slots inside the window and tells each citizen booked there the nearest free time after it', async () => {
    const operator = await app.token('operator');
    const window = { start: at('10:00'), end: at('12:00') };
    expect((await call(app, 'PUT', '/v1/agencies/nrb/mode', operator, { mode: 'maintenance', reason: 'NRB database upgrade', window })).status).toBe(200);
    const offers = await sms('booking-maintenance');
    expect(offers.map((o) => o.to_hash)).toEqual([1, 2, 3, 4].map((n) => app.runtime.vault.lookupHash(citizen(n).phone)));
    // 12:00 has one place left, 12:30 two: places are shared out in slot order.
    expect(offers.map((o) => /Nearest free time (.+?);/.exec(o.body)?.[1])).toEqual(['Tue 3 Mar, 12:00', 'Tue 3 Mar, 12:30', 'Tue 3 Mar, 12:30', 'Tue 3 Mar, 13:00']);
    expect(offers[0].body).toBe(`Huduma: booking ${references[1]} (Tue 3 Mar, 10:00) falls in NRB maintenance. Nearest free time Tue 3 Mar, 12:00; we will move it there. To change it dial *191*9#.`);

    const free = await call(app, 'GET', `/v1/centres/${CENTRE}/slots?service=${SERVICE}&date=${TODAY}`, admin);
    const starts = free.body.slots.map((s: { start: string }) => s.start);
    expect(starts.filter((s: string) => s >= window.start && s < window.end)).toEqual([]);
    expect(free.body.slots.find((s: { start: string }) => s.start === new Date(at('12:00')).toISOString())).toMatchObject({ available: 1 });
    const refused = await call(app, 'POST', '/v1/bookings', admin, bookingBody(CENTRE, slotAt(TODAY, '11:30'), 7, SERVICE), 'mnt-7');
    expect(refused).toMatchObject({ status: 409, body: { type: expect.stringContaining('agency-maintenance') } });
  });

  it('lists the bookings and where they would go without changing anything (dry run), for managers of that centre only', async () => {
    const before = await slotsBooked();
    const body = { action: 'move', agency: 'nrb', centre: CENTRE, from: at('10:00'), to: at('12:00'), reason: 'NRB database upgrade', dryRun: true };
    const elsewhere = await call(app, 'POST', '/v1/bookings/bulk-change', await app.token('manager', { centre: 'NRB-GPO' }), body);
    expect(elsewhere.status).toBe(403);
    expect((await call(app, 'POST', '/v1/bookings/bulk-change', await app.token('officer', { centre: CENTRE }), body)).status).toBe(403);
    const plan = await call(app, 'POST', '/v1/bookings/bulk-change', manager, body);
    expect(plan.status).toBe(200);
    expect(plan.body.items.map((i: { reference: string; outcome: string; movedTo: string }) => [i.reference, i.outcome, i.movedTo])).toEqual([
      [references[1], 'would-move', new Date(at('12:00')).toISOString()],
      [references[2], 'would-move', new Date(at('12:30')).toISOString()],
      [references[3], 'would-move', new Date(at('12:30')).toISOString()],
      [references[4], 'would-move', new Date(at('13:00')).toISOString()],
    ]);
    expect(await slotsBooked()).toEqual(before);
  });

  it('moves them all in one audited action, capacity exact', async () => {
    const moved = await call(app, 'POST', '/v1/bookings/bulk-change', manager, { action: 'move', agency: 'nrb', centre: CENTRE, from: at('10:00'), to: at('12:00'), reason: 'NRB database upgrade' });
    expect(moved.status).toBe(200);
    expect(moved.body.items.map((i: { outcome: string }) => i.outcome)).toEqual(['moved', 'moved', 'moved', 'moved']);
    const slots = await slotsBooked();
    for (const slot of slots) expect(slot.booked).toBeLessThanOrEqual(slot.capacity);
    expect(slots.filter((s) => s.booked > 0).map((s) => [s.start, s.booked])).toEqual([
      [new Date(at('12:00')).toISOString(), 2],
      [new Date(at('12:30')).toISOString(), 2],
      [new Date(at('13:00')).toISOString(), 2],
    ]);
    const active = (await bookingsNow()).filter((b) => b.status === 'booked');
    expect(active).toHaveLength(6);
    expect(slots.reduce((sum, s) => sum + s.booked, 0)).toBe(active.length);
    expect(await sms('booking-rescheduled')).toHaveLength(4);
    const { rows } = await db.pool.query(`SELECT actor, data FROM audit_events WHERE entity_type = 'booking-bulk-change' AND type = 'bulk_moved'`);
    expect(rows).toEqual([
      {
        actor: 'manager-achieng',
        data: { centre: CENTRE, agency: 'nrb', from: new Date(at('10:00')).toISOString(), to: new Date(at('12:00')).toISOString(), reason: 'NRB database upgrade', moved: 4, cancelled: 0, noFreeSlot: 0, failed: 0 },
      },
    ]);
  });

  it('cancels a centre afternoon in one action when the centre closes unexpectedly', async () => {
    const cancelled = await call(app, 'POST', '/v1/bookings/bulk-change', manager, { action: 'cancel', centre: CENTRE, from: at('12:45'), to: at('17:00'), reason: 'Power cut at the centre' });
    expect(cancelled.body.items.map((i: { outcome: string }) => i.outcome)).toEqual(['cancelled', 'cancelled']);
    const slots = await slotsBooked();
    expect(slots.find((s) => s.start === new Date(at('13:00')).toISOString())?.booked).toBe(0);
    expect((await bookingsNow()).filter((b) => b.status === 'cancelled')).toHaveLength(2);
    expect(await sms('booking-cancelled')).toHaveLength(2);
  });
});
