import { randomUUID } from 'node:crypto';
import { AgencyAppointmentSync } from '../../core/agency-appointments/use-cases/agency-appointment-sync';
import { BookAppointment } from '../../core/bookings/use-cases/book-appointment';
import { BookingJobs } from '../../core/bookings/use-cases/booking-jobs';
import { BookingNotices } from '../../core/bookings/use-cases/booking-notices';
import { CheckInBooking } from '../../core/bookings/use-cases/check-in-booking';
import { BookingRepository } from '../../core/bookings/booking.repository';
import { CentreRepository } from '../../core/centres/centre.repository';
import { NotificationLog } from '../../core/notifications/notification-log';
import { BookingJobsService } from '../../gateway/src/worker/booking-jobs.service';
import { localDate } from '../../core/centres/domain/local-time';
import { startTestApp, type TestApp } from '../factories/app';
import { CLOCK_SCENARIOS, NAIROBI, RunningClock, SettableClock } from '../factories/clock';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';
import { bookingBody, call, centreBody, citizen, day, SERVICE, slotAt } from './bookings.helpers';
import { expectTimeOrderedUuidAt } from '../factories/uuid';

const CENTRE = 'TST-E2E';

/**
 * Service by Appointment end to end: the real gateway on a real PostgreSQL, centres configured
 * through the admin API, bookings through HTTP, SMS recorded by the outbox Notifier. The app's clock
 * starts at a closed hour, then at an open one (test/factories/clock.ts): booking works at both.
 */
describeWithPostgres('Service by Appointment', () => {
  describe.each(CLOCK_SCENARIOS)('$name', ({ at: start }) => {
    let db: TestDatabase;
    let app: TestApp;
    let admin: string;
    let channel: string;
    let otherOfficer: string;
    const clock = new RunningClock(start);
    const holiday = day(4, start);

    const slotRow = async (slotStart: string) => {
      const { rows } = await db.pool.query<{ capacity: number; booked: number }>(
        'SELECT capacity, booked FROM appointment_slots WHERE centre_code = $1 AND service_code = $2 AND slot_start = $3',
        [CENTRE, SERVICE, slotStart],
      );
      return rows[0] ?? { capacity: 0, booked: 0 };
    };
    const activeInSlot = async (slotStart: string) => {
      const { rows } = await db.pool.query<{ n: string }>(
        "SELECT count(*) AS n FROM bookings WHERE centre_code = $1 AND slot_start = $2 AND status IN ('booked', 'checked_in')",
        [CENTRE, slotStart],
      );
      return Number(rows[0].n);
    };
    const bookingCount = async () => Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM bookings')).rows[0].n);

    beforeAll(async () => {
      db = await createTestDatabase();
      app = await startTestApp({ databaseUrl: db.url, clock });
      admin = await app.token('admin');
      channel = await app.token('channel', { subject: 'portal' });
      otherOfficer = await app.token('officer', { centre: 'MSA-CBD' });
      const counters = [{ code: '1', name: 'Counter 1', services: [SERVICE] }];
      const put = await call(app, 'PUT', `/v1/centres/${CENTRE}`, admin, centreBody(holiday, [{ service: SERVICE, ticketLetter: 'A', slotCapacity: 5 }], counters));
      expect(put.status).toBe(201);
      expect((await call(app, 'PUT', '/v1/centres/TST-WALKIN', admin, centreBody(holiday, [{ service: SERVICE, slotCapacity: 0 }]))).status).toBe(201);
      expect((await call(app, 'PUT', '/v1/centres/TST-EMPTY', admin, centreBody(holiday, []))).status).toBe(201);
    }, 60_000);

    afterAll(async () => {
      await app?.close();
      await db?.close();
    });

    describe('centres (admin)', () => {
      it('lists and shows centres with hours, holidays, services and counters', async () => {
        const list = await call(app, 'GET', '/v1/centres', channel);
        expect(list.status).toBe(200);
        expect(list.body.items.map((c: { code: string }) => c.code)).toEqual(expect.arrayContaining([CENTRE, 'TST-WALKIN', 'TST-EMPTY']));
        const one = await call(app, 'GET', `/v1/centres/${CENTRE}`, channel);
        expect(one.body).toMatchObject({
          code: CENTRE,
          timeZone: 'Africa/Nairobi',
          slotMinutes: 30,
          holidays: [{ date: holiday, name: 'Test Day' }],
          services: [{ serviceCode: SERVICE, ticketLetter: 'A', slotCapacity: 5 }],
          counters: [{ code: '1', name: 'Counter 1', services: [SERVICE] }],
        });
        expect(one.body.openingHours).toHaveLength(7);
        expect((await call(app, 'GET', '/v1/centres/NOP-NOPE', channel)).status).toBe(404);
      });

      it('lets only an admin change a centre, and sets capacity per slot with an audit event', async () => {
        const officer = await app.token('officer', { centre: CENTRE });
        expect((await call(app, 'PUT', `/v1/centres/${CENTRE}/capacity`, officer, { service: SERVICE, slotCapacity: 20 })).status).toBe(403);
        const set = await call(app, 'PUT', `/v1/centres/${CENTRE}/capacity`, admin, { service: SERVICE, slotCapacity: 20 });
        expect(set.status).toBe(200);
        expect(set.body.services[0].slotCapacity).toBe(20);
        const events = await app.runtime.audit.history(db.pool, 'centre', CENTRE);
        expect(events.map((e) => e.type)).toEqual(['configured', 'capacity_set']);
      });

      it('refuses a malformed centre naming the fields', async () => {
        const bad = await call(app, 'PUT', '/v1/centres/TST-BAD', admin, {
          ...centreBody(holiday, [{ service: 'no-such-service' }]),
          openingHours: [{ weekday: 8, opens: '08:00', closes: '07:00' }],
        });
        expect(bad.status).toBe(422);
        expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['/openingHours/0/weekday']);
        // The shape is checked at the edge first; then every rule of the centre, all at once.
        const unknown = await call(app, 'PUT', '/v1/centres/TST-BAD', admin, {
          ...centreBody(holiday, [{ service: 'no-such-service' }]),
          openingHours: [{ weekday: 1, opens: '08:00', closes: '07:00' }],
        });
        expect(unknown.status).toBe(422);
        expect(unknown.body.errors.map((e: { field: string }) => e.field)).toEqual(['/openingHours/0/closes', '/services/0/service']);
        expect((await call(app, 'GET', '/v1/centres/TST-BAD', admin)).status).toBe(404);
      });
    });

    it("gives a centre's slots already booked the capacity a PUT of the centre sets, never below what is booked", async () => {
      const code = 'TST-CAPPUT';
      const putCapacity = async (slotCapacity: number) =>
        expect((await call(app, 'PUT', `/v1/centres/${code}`, admin, centreBody(holiday, [{ service: SERVICE, ticketLetter: 'A', slotCapacity }]))).status).toBeLessThan(300);
      await putCapacity(3);
      const slot = slotAt(day(2, start), '10:00');
      const later = slotAt(day(2, start), '11:00');
      expect((await call(app, 'POST', '/v1/bookings', channel, bookingBody(code, slot, 970))).status).toBe(201);
      expect((await call(app, 'POST', '/v1/bookings', channel, bookingBody(code, later, 971))).status).toBe(201);
      const row = async (at: string) =>
        (await db.pool.query('SELECT capacity, booked FROM appointment_slots WHERE centre_code = $1 AND slot_start = $2', [code, at])).rows[0];
      expect(await row(slot)).toEqual({ capacity: 3, booked: 1 });

      await putCapacity(1);
      expect([await row(slot), await row(later)]).toEqual([{ capacity: 1, booked: 1 }, { capacity: 1, booked: 1 }]);
      const full = await call(app, 'POST', '/v1/bookings', channel, bookingBody(code, slot, 972));
      expect([full.status, full.body.type]).toEqual([409, expect.stringMatching(/\/slot-full$/)]);

      await putCapacity(5);
      expect(await row(slot)).toEqual({ capacity: 5, booked: 1 });
      expect((await call(app, 'POST', '/v1/bookings', channel, bookingBody(code, slot, 973))).status).toBe(201);
    });

    it('never overfills a slot: 300 concurrent bookings for 20 places give 20 bookings and 280 clean 409s', async () => {
      const slot = slotAt(day(1, start), '09:00');
      const replies = await Promise.all(Array.from({ length: 300 }, (_, i) => call(app, 'POST', '/v1/bookings', channel, bookingBody(CENTRE, slot, i))));
      const created = replies.filter((r) => r.status === 201);
      const full = replies.filter((r) => r.status === 409);
      expect(created).toHaveLength(20);
      expect(full).toHaveLength(280);
      for (const r of full) {
        expect(r.contentType).toMatch(/^application\/problem\+json/);
        expect(r.body.type).toMatch(/\/slot-full$/);
      }
      expect(new Set(created.map((r) => r.body.reference)).size).toBe(20);
      for (const r of created) expect(r.body.reference).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
      expect(await slotRow(slot)).toEqual({ capacity: 20, booked: 20 });
      expect(await activeInSlot(slot)).toBe(20);
      const free = await call(app, 'GET', `/v1/centres/${CENTRE}/slots?service=${SERVICE}&date=${day(1, start)}`, channel);
      expect(free.body.slots.map((s: { start: string }) => s.start)).not.toContain(new Date(slot).toISOString());
    }, 60_000);

    it('lists free slots from opening to closing, and names a bad query', async () => {
      const free = await call(app, 'GET', `/v1/centres/${CENTRE}/slots?service=${SERVICE}&date=${day(2, start)}`, channel);
      expect(free.status).toBe(200);
      expect(free.body.slots).toHaveLength(18);
      expect(free.body.slots[0]).toEqual({ start: new Date(slotAt(day(2, start), '08:00')).toISOString(), end: new Date(slotAt(day(2, start), '08:30')).toISOString(), capacity: 20, available: 20 });
      const closed = await call(app, 'GET', `/v1/centres/${CENTRE}/slots?service=${SERVICE}&date=${holiday}`, channel);
      expect(closed.body).toMatchObject({ closed: 'holiday', slots: [] });
      const past = await call(app, 'GET', `/v1/centres/${CENTRE}/slots?service=${SERVICE}&date=${day(-1, start)}`, channel);
      expect(past.status).toBe(422);
      expect(past.body.type).toMatch(/\/date-in-past$/);
      expect((await call(app, 'GET', `/v1/centres/NOP-NOPE/slots?service=${SERVICE}&date=${day(2, start)}`, channel)).status).toBe(404);
    });

    it.each([
      ['an unknown centre', { centre: 'NOP-NOPE' }, 'centre-unknown', '/centre'],
      ['a slot in the past', { slotStart: slotAt(day(-1, start), '09:00') }, 'slot-in-past', '/slotStart'],
      ['a slot before opening', { slotStart: slotAt(day(2, start), '07:00') }, 'slot-outside-opening-hours', '/slotStart'],
      ['a slot off the grid', { slotStart: slotAt(day(2, start), '09:10') }, 'slot-outside-opening-hours', '/slotStart'],
      ['the last half hour before closing is the last slot', { slotStart: slotAt(day(2, start), '17:00') }, 'slot-outside-opening-hours', '/slotStart'],
      ['a holiday', { slotStart: slotAt(holiday, '09:00') }, 'centre-closed-holiday', '/slotStart'],
      ['beyond the booking horizon', { slotStart: slotAt(day(31, start), '09:00') }, 'beyond-booking-horizon', '/slotStart'],
      ['a malformed ID number', { citizen: { idNumber: '12AB', phone: '+254712345678' } }, 'validation-failed', '/citizen/idNumber'],
      ['a malformed phone number', { citizen: { idNumber: '23456789', phone: '12' } }, 'validation-failed', '/citizen/phone'],
      ['an unknown service', { service: 'no-such-service' }, 'service-unknown', '/service'],
      ['a service the centre does not offer', { centre: 'TST-EMPTY' }, 'service-not-offered', '/service'],
      ['a service the centre serves walk-in only', { centre: 'TST-WALKIN' }, 'service-not-bookable', '/service'],
      ['a malformed slot start', { slotStart: 'tomorrow morning' }, 'validation-failed', '/slotStart'],
    ])('refuses %s with a 422 naming the problem, storing nothing', async (_name, change, code, field) => {
      const before = await bookingCount();
      const reply = await call(app, 'POST', '/v1/bookings', channel, { ...bookingBody(CENTRE, slotAt(day(2, start), '10:00'), 9999), ...change });
      expect(reply.status).toBe(422);
      expect(reply.contentType).toMatch(/^application\/problem\+json/);
      expect(reply.body.type).toMatch(new RegExp(`/${code}$`));
      expect(reply.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      // A refusal never repeats what was sent: it may be an ID or phone number.
      expect(JSON.stringify(reply.body)).not.toMatch(/23456789|12AB|tomorrow morning/);
      expect(await bookingCount()).toBe(before);
    });

    it('confirms by SMS, masks personal data, and keeps one active booking per citizen, service and day', async () => {
      const slot = slotAt(day(2, start), '11:00');
      const first = await call(app, 'POST', '/v1/bookings', channel, bookingBody(CENTRE, slot, 500));
      expect(first.status).toBe(201);
      expect(first.body.citizen).toEqual({ idNumber: '****0500', phone: '+2547******00' });
      // Its stored id is a UUIDv7 carrying the app clock's time of booking (core/shared/uuid.ts).
      const [{ id }] = (await db.pool.query<{ id: string }>('SELECT id FROM bookings WHERE reference = $1', [first.body.reference])).rows;
      expectTimeOrderedUuidAt(id, new Date(first.body.createdAt));
      const sms = await app.app.get(NotificationLog).sentTo(citizen(500).phone);
      expect(sms).toHaveLength(1);
      expect(sms[0]).toMatchObject({ template: 'booking-confirmed', status: 'recorded' });
      expect(sms[0].body).toContain(first.body.reference);
      expect(sms[0].body).not.toContain(citizen(500).idNumber);

      const again = await call(app, 'POST', '/v1/bookings', channel, bookingBody(CENTRE, slotAt(day(2, start), '14:00'), 500));
      expect(again.status).toBe(409);
      expect(again.body.type).toMatch(/\/already-booked$/);
      expect(await slotRow(slotAt(day(2, start), '14:00'))).toMatchObject({ booked: 0 });

      const elsewhere = await call(app, 'POST', '/v1/bookings', otherOfficer, bookingBody(CENTRE, slotAt(day(2, start), '15:00'), 501));
      expect(elsewhere.status).toBe(403);
      expect(elsewhere.body.type).toMatch(/\/wrong-centre$/);

      const mine = await call(app, 'GET', `/v1/bookings?citizen=${citizen(500).idNumber}`, channel);
      expect(mine.body.items.map((b: { reference: string }) => b.reference)).toEqual([first.body.reference]);
      // An officer of another centre does not see this centre's bookings at all.
      expect((await call(app, 'GET', `/v1/bookings/${first.body.reference}`, otherOfficer)).status).toBe(404);
      expect((await call(app, 'GET', `/v1/bookings?citizen=${citizen(500).idNumber}`, otherOfficer)).body.items).toEqual([]);
      expect((await call(app, 'GET', `/v1/bookings/${first.body.reference.toLowerCase()}`, channel)).body.status).toBe('booked');
    });

    it('books where one decision allows: an officer at its own centre only, a second role never widening it, nothing stored when refused', async () => {
      const book = app.app.get(BookAppointment);
      const slot = slotAt(day(3, start), '11:00');
      const officerChannel = { subject: 'officer-kamau', roles: ['officer', 'channel'], centre: CENTRE, client: 'kiungo-counter' };
      const body = (n: number) => bookingBody(CENTRE, slot, n) as unknown as Parameters<BookAppointment['execute']>[0];
      const before = await bookingCount();
      // The channel role beside it reaches anywhere; the officer's own centre still confines the booking.
      await expect(book.execute(body(950), { ...officerChannel, centre: 'MSA-CBD' })).rejects.toMatchObject({ category: 'forbidden', code: 'wrong-centre' });
      await expect(book.execute(body(951), { subject: 'officer-x', roles: ['officer', 'channel'] })).rejects.toMatchObject({ category: 'forbidden', code: 'no-centre' });
      await expect(book.execute(body(952), { subject: 'auditor', roles: ['auditor'] })).rejects.toMatchObject({ category: 'forbidden', code: 'insufficient-role' });
      // Another officer's centre is refused before it is looked up, also one that does not exist.
      await expect(book.execute({ ...body(953), centre: 'XXX-NONE' }, officerChannel)).rejects.toMatchObject({ category: 'forbidden', code: 'wrong-centre' });
      expect(await bookingCount()).toBe(before);
      expect(await book.execute(body(954), officerChannel)).toMatchObject({ centre: CENTRE, status: 'booked' });
      expect(await book.execute(body(955), { subject: 'portal', roles: ['channel'], client: 'kiungo-portal' })).toMatchObject({ centre: CENTRE, status: 'booked' });
      expect(await bookingCount()).toBe(before + 2);
    });

    it('replays a repeated Idempotency-Key without booking twice', async () => {
      const key = randomUUID();
      const body = bookingBody(CENTRE, slotAt(day(2, start), '12:00'), 600);
      const one = await call(app, 'POST', '/v1/bookings', channel, body, key);
      const two = await call(app, 'POST', '/v1/bookings', channel, body, key);
      expect(one.status).toBe(201);
      expect(two.status).toBe(201);
      expect(two.body.reference).toBe(one.body.reference);
      expect(await slotRow(slotAt(day(2, start), '12:00'))).toMatchObject({ booked: 1 });
    });

    it('answers two identical bookings sent at once with one key with the same 201, booking once (issue 10)', async () => {
      const key = randomUUID();
      const slot = slotAt(day(2, start), '12:30');
      const body = bookingBody(CENTRE, slot, 650);
      const replies = await Promise.all(Array.from({ length: 4 }, () => call(app, 'POST', '/v1/bookings', channel, body, key)));
      expect(replies.map((reply) => reply.status)).toEqual([201, 201, 201, 201]);
      for (const reply of replies) expect(reply.body).toEqual(replies[0].body);
      expect(await slotRow(slot)).toMatchObject({ booked: 1 });
      expect(await activeInSlot(slot)).toBe(1);
    });

    it('replays a key whose slot has filled since, and leaves the key of a refused booking free (the key is claimed in the booking statement)', async () => {
      const slot = slotAt(day(3, start), '14:00');
      await db.pool.query('INSERT INTO appointment_slots (centre_code, service_code, slot_start, capacity, booked) VALUES ($1, $2, $3, 1, 0)', [CENTRE, SERVICE, slot]);
      const key = randomUUID();
      const first = await call(app, 'POST', '/v1/bookings', channel, bookingBody(CENTRE, slot, 950), key);
      expect(first.status).toBe(201);
      expect(await slotRow(slot)).toEqual({ capacity: 1, booked: 1 });
      // Claimed and answered by the booking's own statement: the key's row was last written by the
      // database transaction that wrote the booking (an answer stored afterwards would be another).
      const writers = await db.pool.query<{ key: string; booking: string; status: number }>(
        `SELECT k.xmin::text AS key, b.xmin::text AS booking, k.status FROM idempotency_keys k, bookings b WHERE k.key = $1 AND b.reference = $2`,
        [key, first.body.reference],
      );
      expect(writers.rows).toEqual([{ key: writers.rows[0]?.booking, booking: expect.any(String), status: 201 }]);
      // The slot is full now; the repeat still gets the first answer, not a 409.
      const repeat = await call(app, 'POST', '/v1/bookings', channel, bookingBody(CENTRE, slot, 950), key);
      expect(repeat.status).toBe(201);
      expect(repeat.body).toEqual(first.body);
      expect(await slotRow(slot)).toEqual({ capacity: 1, booked: 1 });

      const refusedKey = randomUUID();
      const refused = await call(app, 'POST', '/v1/bookings', channel, bookingBody(CENTRE, slot, 951), refusedKey);
      expect(refused.status).toBe(409);
      expect(refused.body.type).toMatch(/\/slot-full$/);
      expect((await db.pool.query('SELECT 1 FROM idempotency_keys WHERE key = $1', [refusedKey])).rowCount).toBe(0);
      // The refused request stored nothing: the key may carry another request.
      const elsewhere = await call(app, 'POST', '/v1/bookings', channel, bookingBody(CENTRE, slotAt(day(3, start), '14:30'), 951), refusedKey);
      expect(elsewhere.status).toBe(201);
      const stored = await db.pool.query<{ status: number; body: unknown }>('SELECT status, body FROM idempotency_keys WHERE key = $1', [refusedKey]);
      expect(stored.rows).toEqual([{ status: 201, body: elsewhere.body }]);
    });

    it('cancels, releasing the place, once', async () => {
      const slot = slotAt(day(2, start), '13:00');
      const booked = await call(app, 'POST', '/v1/bookings', channel, bookingBody(CENTRE, slot, 700));
      expect(await slotRow(slot)).toMatchObject({ booked: 1 });
      const cancelled = await call(app, 'POST', `/v1/bookings/${booked.body.reference}/cancel`, channel);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.status).toBe('cancelled');
      expect(await slotRow(slot)).toMatchObject({ booked: 0 });
      const twice = await call(app, 'POST', `/v1/bookings/${booked.body.reference}/cancel`, channel);
      expect(twice.status).toBe(409);
      expect(twice.body.type).toMatch(/\/booking-not-active$/);
      expect(await slotRow(slot)).toMatchObject({ booked: 0 });
      expect((await call(app, 'POST', `/v1/bookings/${booked.body.reference}/cancel`, otherOfficer)).status).toBe(404);
      const events = await app.runtime.audit.history(db.pool, 'booking', booked.body.reference);
      expect(events.map((e) => e.type)).toEqual(['booked', 'cancelled']);
      expect(JSON.stringify(events)).not.toContain(citizen(700).idNumber);
      // The citizen may book that day again once the first booking is cancelled.
      expect((await call(app, 'POST', '/v1/bookings', channel, bookingBody(CENTRE, slot, 700))).status).toBe(201);
    });

    it('reschedules all or nothing', async () => {
      const from = slotAt(day(3, start), '09:00');
      const booked = await call(app, 'POST', '/v1/bookings', channel, bookingBody(CENTRE, from, 800));
      const fullSlot = slotAt(day(1, start), '09:00');
      const refused = await call(app, 'POST', `/v1/bookings/${booked.body.reference}/reschedule`, channel, { slotStart: fullSlot });
      expect(refused.status).toBe(409);
      expect(refused.body.type).toMatch(/\/slot-full$/);
      expect(await slotRow(from)).toMatchObject({ booked: 1 });
      expect(await slotRow(fullSlot)).toEqual({ capacity: 20, booked: 20 });
      expect((await call(app, 'GET', `/v1/bookings/${booked.body.reference}`, channel)).body.slotStart).toBe(new Date(from).toISOString());

      const to = slotAt(day(3, start), '15:30');
      const moved = await call(app, 'POST', `/v1/bookings/${booked.body.reference}/reschedule`, channel, { slotStart: to });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ reference: booked.body.reference, slotStart: new Date(to).toISOString(), reschedules: 1, status: 'booked' });
      expect(await slotRow(from)).toMatchObject({ booked: 0 });
      expect(await slotRow(to)).toMatchObject({ booked: 1 });
      const sms = await app.app.get(NotificationLog).sentTo(citizen(800).phone);
      expect(sms.map((m) => m.template)).toEqual(['booking-confirmed', 'booking-rescheduled']);
    });

    it('checks a booking in once, for the ticket queue', async () => {
      const slot = slotAt(day(3, start), '10:00');
      const booked = await call(app, 'POST', '/v1/bookings', channel, bookingBody(CENTRE, slot, 900));
      const checkIn = app.app.get(CheckInBooking);
      const at = new Date(new Date(slot).getTime() - 20 * 60_000);
      await expect(checkIn.checkInBooking(booked.body.reference, at, { centreCode: 'TST-WALKIN' })).rejects.toMatchObject({ code: 'booking-wrong-centre' });
      const ticket = await checkIn.checkInBooking(booked.body.reference, at, { centreCode: CENTRE, actor: 'officer-1' });
      expect(ticket).toMatchObject({ reference: booked.body.reference, centreCode: CENTRE, serviceCode: SERVICE, slotStart: new Date(slot) });
      await expect(checkIn.checkInBooking(booked.body.reference, at)).rejects.toMatchObject({ category: 'conflict', code: 'booking-not-active' });
      expect((await call(app, 'GET', `/v1/bookings/${booked.body.reference}`, channel)).body.status).toBe('checked_in');
      expect(await slotRow(slot)).toMatchObject({ booked: 1 });
    });

    it('releases no-shows after the grace period, and reminds the day before, once', async () => {
      const slot = slotAt(day(5, start), '16:00');
      const booked = await call(app, 'POST', '/v1/bookings', channel, bookingBody(CENTRE, slot, 1000));
      const jobsAt = (at: Date) =>
        new BookingJobs(app.app.get(CentreRepository), app.app.get(BookingRepository), app.app.get(BookingNotices), new SettableClock(at), app.app.get(AgencyAppointmentSync));
      const slotStart = new Date(slot).getTime();

      expect(await jobsAt(new Date(slotStart - 30 * 3600_000)).sendReminders()).toBe(0);
      expect(await jobsAt(new Date(slotStart - 20 * 3600_000)).sendReminders()).toBeGreaterThanOrEqual(1);
      expect(await jobsAt(new Date(slotStart - 19 * 3600_000)).sendReminders()).toBe(0);
      const sms = await app.app.get(NotificationLog).sentTo(citizen(1000).phone);
      expect(sms.map((m) => m.template)).toEqual(['booking-confirmed', 'booking-reminder']);

      expect((await jobsAt(new Date(slotStart + 14 * 60_000)).releaseNoShows()).map((b) => b.reference)).not.toContain(booked.body.reference);
      const released = await jobsAt(new Date(slotStart + 16 * 60_000)).releaseNoShows();
      expect(released.map((b) => b.reference)).toContain(booked.body.reference);
      expect((await call(app, 'GET', `/v1/bookings/${booked.body.reference}`, channel)).body.status).toBe('no_show');
      expect(await slotRow(slot)).toMatchObject({ booked: 0 });
      const events = await app.runtime.audit.history(db.pool, 'booking', booked.body.reference);
      expect(events.map((e) => [e.type, e.actor])).toEqual([['booked', 'portal'], ['no_show', 'system:no-show']]);
    });

    it("runs the no-show job in the worker on the app's clock", async () => {
      // A booking whose slot began an hour ago cannot be made through the API: write it as the past would have.
      const slotStart = new Date(clock.now().getTime() - 3600_000);
      const vault = app.runtime.vault;
      await db.pool.query('INSERT INTO appointment_slots (centre_code, service_code, slot_start, capacity, booked) VALUES ($1, $2, $3, 5, 1)', [CENTRE, SERVICE, slotStart]);
      await db.pool.query(
        `INSERT INTO bookings (id, reference, centre_code, service_code, slot_start, slot_end, local_date, citizen_id_hash, citizen_sealed, channel, booked_by, status)
         VALUES ($1, 'PAQT-NXWH', $2, $3, $4, $5, $6, $7, $8, 'portal', 'portal', 'booked')`,
        [randomUUID(), CENTRE, SERVICE, slotStart, new Date(slotStart.getTime() + 1800_000), localDate(slotStart, NAIROBI), vault.lookupHash('29999999'), vault.seal(citizen(2999))],
      );
      await app.app.get(BookingJobsService).runOnce();
      expect((await call(app, 'GET', '/v1/bookings/PAQT-NXWH', channel)).body.status).toBe('no_show');
      expect(await slotRow(slotStart.toISOString())).toMatchObject({ booked: 0 });
    });

    it('keeps every slot counter equal to its active bookings, and the audit chain intact, through all of it', async () => {
      const { rows } = await db.pool.query<{ slot_start: Date; booked: number; active: string }>(
        `SELECT s.slot_start, s.booked,
                (SELECT count(*) FROM bookings b WHERE b.centre_code = s.centre_code AND b.service_code = s.service_code
                   AND b.slot_start = s.slot_start AND b.status IN ('booked', 'checked_in')) AS active
           FROM appointment_slots s`,
      );
      expect(rows.length).toBeGreaterThan(5);
      for (const row of rows) expect({ slot: row.slot_start, booked: row.booked }).toEqual({ slot: row.slot_start, booked: Number(row.active) });
      const report = await app.runtime.audit.verify(db.pool);
      expect(report.ok).toBe(true);
    });
  });
});
