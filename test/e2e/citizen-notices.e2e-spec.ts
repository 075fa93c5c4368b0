import { BookingJobsService } from '../../gateway/src/worker/booking-jobs.service';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';
import { startTestApp, type TestApp } from '../factories/app';
import { inNairobi, SettableClock } from '../factories/clock';
import { bookingBody, call, centreBody, citizen, slotAt } from './bookings.helpers';
import { takeTicket } from './queue.helpers';

const TODAY = '2026-03-03'; // a Tuesday
const CHOOSING = 'NRB-NTC1';
const PLAIN = 'NRB-NTC2';
const SERVICE = 'id-card-replacement';

/**
 * Issue 14.5: notices a centre chooses for its citizens. A centre that turns on the hour-before
 * reminder sends it once to each booking due within the hour (a centre that did not sends none);
 * one with a call-ahead of one place texts a checked-in citizen once, when the ticket is next.
 */
describeWithPostgres('notices the centre chooses', () => {
  let db: TestDatabase;
  let app: TestApp;
  let admin: string;
  let manager: string;
  let officer: string;
  let kiosk: string;
  const clock = new SettableClock(inNairobi(TODAY, '09:50'));

  const sms = async (template: string): Promise<Array<{ to_hash: string; body: string }>> =>
    (await db.pool.query<{ to_hash: string; body: string }>('SELECT to_hash, body FROM notifications WHERE template = $1 ORDER BY id', [template])).rows;
  const hashOf = (n: number) => app.runtime.vault.lookupHash(citizen(n).phone);
  const book = async (centre: string, n: number, time: string): Promise<string> => {
    const reply = await call(app, 'POST', '/v1/bookings', admin, bookingBody(centre, slotAt(TODAY, time), n, SERVICE), `notices-${centre}-${n}`);
    expect(reply.status).toBe(201);
    return reply.body.reference;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp({ databaseUrl: db.url, clock });
    admin = await app.token('admin');
    manager = await app.token('manager', { subject: 'manager-achieng' });
    officer = await app.token('officer', { centre: CHOOSING, subject: 'officer-otieno' });
    kiosk = await app.token('channel', { subject: 'kiosk-1' });
    const services = [{ service: SERVICE, ticketLetter: 'A', slotCapacity: 4 }];
    const counters = [{ code: '1', name: 'Counter 1', services: [SERVICE] }];
    for (const code of [CHOOSING, PLAIN]) expect((await call(app, 'PUT', `/v1/centres/${code}`, admin, { ...centreBody('2026-12-25', services, counters), name: `Centre ${code}` })).status).toBe(201);
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('keeps the choices per centre, off until a manager turns them on, each change audited', async () => {
    expect((await call(app, 'GET', `/v1/centres/${CHOOSING}/notice-choices`, manager)).body).toEqual({ hourBeforeReminder: false, callAheadPlaces: null });
    expect((await call(app, 'PUT', `/v1/centres/${CHOOSING}/notice-choices`, officer, { hourBeforeReminder: true, callAheadPlaces: 1 })).status).toBe(403);
    const invalid = await call(app, 'PUT', `/v1/centres/${CHOOSING}/notice-choices`, manager, { hourBeforeReminder: true, callAheadPlaces: 0 });
    expect(invalid.status).toBe(422);
    expect((await call(app, 'PUT', '/v1/centres/NRB-NONE/notice-choices', manager, { hourBeforeReminder: true, callAheadPlaces: 1 })).status).toBe(404);
    const set = await call(app, 'PUT', `/v1/centres/${CHOOSING}/notice-choices`, manager, { hourBeforeReminder: true, callAheadPlaces: 1 });
    expect(set).toMatchObject({ status: 200, body: { hourBeforeReminder: true, callAheadPlaces: 1 } });
    expect((await call(app, 'GET', `/v1/centres/${CHOOSING}/notice-choices`, manager)).body).toEqual({ hourBeforeReminder: true, callAheadPlaces: 1 });
    const { rows } = await db.pool.query(`SELECT actor, data FROM audit_events WHERE entity_id = $1 AND type = 'notice_choices_set'`, [CHOOSING]);
    expect(rows).toEqual([{ actor: 'manager-achieng', data: { hourBeforeReminder: true, callAheadPlaces: 1 } }]);
  });

  it('sends the hour-before reminder once, only where the centre chose it', async () => {
    await book(CHOOSING, 1, '10:30');
    await book(CHOOSING, 2, '12:00');
    await book(PLAIN, 3, '10:30');
    const jobs = app.app.get(BookingJobsService);
    await jobs.runOnce();
    await jobs.runOnce();
    const sent = await sms('booking-reminder-hour');
    expect(sent.map((s) => s.to_hash)).toEqual([hashOf(1)]);
    expect(sent[0].body).toMatch(/^Huduma: in an hour, .+ at Centre NRB-NTC1, Tue 3 Mar, 10:30\. Booking [A-Z0-9-]+\. Bring your ID\.$/);
    clock.set(inNairobi(TODAY, '11:05'));
    await jobs.runOnce();
    expect((await sms('booking-reminder-hour')).map((s) => s.to_hash)).toEqual([hashOf(1), hashOf(2)]);
    clock.set(inNairobi(TODAY, '09:50'));
  });

  it('texts a checked-in citizen once, when the ticket is next to be called', async () => {
    clock.set(inNairobi(TODAY, '10:00'));
    expect((await takeTicket(app, kiosk, CHOOSING, { service: SERVICE })).status).toBe(201); // a walk-in: no phone
    clock.advance(60_000);
    const first = await takeTicket(app, kiosk, CHOOSING, { bookingReference: await book(CHOOSING, 4, '15:00') });
    clock.advance(60_000);
    const second = await takeTicket(app, kiosk, CHOOSING, { bookingReference: await book(CHOOSING, 5, '15:30') });
    expect([first.body.position, second.body.position]).toEqual([2, 3]); // not due within 15 minutes: by arrival
    expect((await call(app, 'POST', `/v1/centres/${CHOOSING}/counters/1/open`, officer)).status).toBe(201);
    const callNext = () => call(app, 'POST', `/v1/centres/${CHOOSING}/counters/1/call-next`, officer);
    const text = (number: string) => `Huduma Centre ${CHOOSING}: ticket ${number} is next to be called. Please come back to the hall now.`;
    expect((await callNext()).status).toBe(200); // the walk-in
    expect(await sms('ticket-call-ahead')).toEqual([{ to_hash: hashOf(4), body: text(first.body.number) }]);
    expect((await callNext()).body.ticket.number).toBe(first.body.number);
    expect((await callNext()).body.ticket.number).toBe(second.body.number);
    expect(await sms('ticket-call-ahead')).toEqual([
      { to_hash: hashOf(4), body: text(first.body.number) },
      { to_hash: hashOf(5), body: text(second.body.number) },
    ]);
  });
});
