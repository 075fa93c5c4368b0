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
 * the nearest free time after it, however often the window is scheduled; a manager lists them (dry run), then moves them all in one
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
    // Four inside the window, one per slot (so their order is the slots'); one at 12:00 and one at 13:00 after it.
    for (const [n, time] of [[1, '10:00'], [2, '10:30'], [3, '11:00'], [4, '11:30'], [5, '12:00'], [6, '13:00']] as const) {
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
    const schedule = () => call(app, 'PUT', '/v1/agencies/nrb/mode', operator, { mode: 'maintenance', reason: 'NRB database upgrade', window });
    // Scheduled twice at once (two operators, two replicas), then once more: each citizen is told once.
    expect((await Promise.all([schedule(), schedule()])).map((r) => r.status)).toEqual([200, 200]);
    expect((await schedule()).status).toBe(200);
    const offers = await sms('booking-maintenance');
    const hashes = [1, 2, 3, 4].map((n) => app.runtime.vault.lookupHash(citizen(n).phone));
    expect(offers.map((o) => o.to_hash).sort()).toEqual([...hashes].sort());
    // 12:00 has one place left, 12:30 two: places are shared out in slot order.
    const nearest = (n: number) => /Nearest free time (.+?);/.exec(offers.find((o) => o.to_hash === hashes[n - 1])?.body ?? '')?.[1];
    expect([1, 2, 3, 4].map(nearest)).toEqual(['Tue 3 Mar, 12:00', 'Tue 3 Mar, 12:30', 'Tue 3 Mar, 12:30', 'Tue 3 Mar, 13:00']);
    expect(offers.find((o) => o.to_hash === hashes[0])?.body).toBe(`Huduma: booking ${references[1]} (Tue 3 Mar, 10:00) falls in NRB maintenance. Nearest free time Tue 3 Mar, 12:00; we will move it there. To change it dial *191*9#.`);

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
    // The same list for the agency's scheduled window, by GET (managers; nobody else).
    const listed = await call(app, 'GET', '/v1/agencies/nrb/maintenance/bookings', manager);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual(plan.body.items);
    const otherCentre = await call(app, 'GET', '/v1/agencies/nrb/maintenance/bookings', await app.token('manager', { centre: 'NRB-GPO' }));
    expect(JSON.stringify(otherCentre.body)).not.toContain(references[1]); // that centre's list only (not in this database: 404)
    expect((await call(app, 'GET', '/v1/agencies/nrb/maintenance/bookings', await app.token('officer', { centre: CENTRE }))).status).toBe(403);
    expect(await slotsBooked()).toEqual(before);
  });

  it('moves them all in one audited action, capacity exact while citizens book the same slots', async () => {
    const window = [references[1], references[2], references[3], references[4]];
    const before = new Map((await bookingsNow()).map((b) => [b.reference, b.slot_start.toISOString()]));
    // Four other citizens book the free slots after the window while the manager's move runs.
    const [moved, ...racing] = await Promise.all([
      call(app, 'POST', '/v1/bookings/bulk-change', manager, { action: 'move', agency: 'nrb', centre: CENTRE, from: at('10:00'), to: at('12:00'), reason: 'NRB database upgrade' }),
      ...(['12:00', '12:30', '13:00', '13:30'] as const).map((time, i) => call(app, 'POST', '/v1/bookings', admin, bookingBody(CENTRE, slotAt(TODAY, time), 8 + i, SERVICE), `mnt-race-${i}`)),
    ]);
    expect(moved.status).toBe(200);
    for (const reply of racing) expect([201, 409]).toContain(reply.status);
    const items: Array<{ reference: string; outcome: string; movedTo: string | null }> = moved.body.items;
    expect(items.map((i) => i.reference)).toEqual(window);
    const now = new Map((await bookingsNow()).filter((b) => b.status === 'booked').map((b) => [b.reference, b.slot_start.toISOString()]));
    for (const item of items) {
      expect(['moved', 'failed', 'no-free-slot']).toContain(item.outcome);
      // Moved: in the slot the answer names, after the window; otherwise exactly where it was. Nobody is lost.
      expect(now.get(item.reference)).toBe(item.outcome === 'moved' ? item.movedTo : before.get(item.reference));
      if (item.outcome === 'moved') expect(item.movedTo! >= new Date(at('12:00')).toISOString()).toBe(true);
    }
    // Capacity exact: no slot over its places, and every place taken is one active booking.
    const slots = await slotsBooked();
    for (const slot of slots) expect(slot.booked).toBeLessThanOrEqual(slot.capacity);
    expect(slots.reduce((sum, s) => sum + s.booked, 0)).toBe(now.size);
    expect(now.size).toBe(6 + racing.filter((r) => r.status === 201).length);
    expect(await sms('booking-rescheduled')).toHaveLength(items.filter((i) => i.outcome === 'moved').length);
    const count = (outcome: string) => items.filter((i) => i.outcome === outcome).length;
    const { rows } = await db.pool.query(`SELECT actor, data FROM audit_events WHERE entity_type = 'booking-bulk-change' AND type = 'bulk_moved'`);
    expect(rows).toEqual([
      {
        actor: 'manager-achieng',
        data: {
          centre: CENTRE,
          agency: 'nrb',
          from: new Date(at('10:00')).toISOString(),
          to: new Date(at('12:00')).toISOString(),
          reason: 'NRB database upgrade',
          moved: count('moved'),
          cancelled: 0,
          noFreeSlot: count('no-free-slot'),
          failed: count('failed'),
        },
      },
    ]);
    expect(count('moved')).toBeGreaterThan(0);
  });

  it('cancels a centre afternoon in one action when the centre closes unexpectedly', async () => {
    const inAfternoon = (await bookingsNow()).filter((b) => b.status === 'booked' && b.slot_start.toISOString() >= new Date(at('12:45')).toISOString());
    expect(inAfternoon.length).toBeGreaterThan(0);
    const cancelled = await call(app, 'POST', '/v1/bookings/bulk-change', manager, { action: 'cancel', centre: CENTRE, from: at('12:45'), to: at('17:00'), reason: 'Power cut at the centre' });
    expect(cancelled.body.items.map((i: { outcome: string }) => i.outcome)).toEqual(inAfternoon.map(() => 'cancelled'));
    const slots = await slotsBooked();
    expect(slots.filter((s) => s.start >= new Date(at('12:45')).toISOString()).map((s) => s.booked)).toEqual(slots.filter((s) => s.start >= new Date(at('12:45')).toISOString()).map(() => 0));
    expect((await bookingsNow()).filter((b) => b.status === 'cancelled')).toHaveLength(inAfternoon.length);
    expect(await sms('booking-cancelled')).toHaveLength(inAfternoon.length);
    // Back in auto: no window, nothing to list.
    expect((await call(app, 'PUT', '/v1/agencies/nrb/mode', await app.token('operator'), { mode: 'auto', reason: 'upgrade done' })).status).toBe(200);
    expect((await call(app, 'GET', '/v1/agencies/nrb/maintenance/bookings', manager)).body.type).toContain('no-maintenance-window');
  });
});
