import type { Pool } from 'pg';
import { shardOf } from '../../core/audit/audit-event';
import { BookingJobs } from '../../core/bookings/use-cases/booking-jobs';
import { DrainNotices } from '../../core/notifications/use-cases/drain-notices';
import { PgTicketRepository } from '../../core/walk-in/pg/ticket.pg-repository';
import { CallAhead } from '../../core/walk-in/use-cases/call-ahead';
import { BookingJobsService } from '../../gateway/src/worker/booking-jobs.service';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';
import { eventually, someoneWaitsFor } from '../factories/eventually';
import { startTestApp, type TestApp } from '../factories/app';
import { inNairobi, SettableClock } from '../factories/clock';
import { startSmsProvider, type SmsProviderSimulator } from '../simulators/sms-provider/africastalking.simulator';
import { bookingBody, call, centreBody, citizen, slotAt } from './bookings.helpers';
import { BUSINESS, queueCatalogue, takeTicket } from './queue.helpers';

const TODAY = '2026-03-03'; // a Tuesday
const CHOOSING = 'NRB-NTC1';
const PLAIN = 'NRB-NTC2';
const SERVICE = 'id-card-replacement';

/**
 * Issue 14.5: notices a centre chooses for its citizens. A centre that turns on the hour-before
 * reminder sends it once to each booking due within the hour (a centre that did not sends none);
 * one with a call-ahead of one place texts a checked-in citizen, or a walk-in who left a phone,
 * once, when the ticket is next. Two workers (or two counters) at once still send each SMS once.
 */
describeWithPostgres('notices the centre chooses', () => {
  let db: TestDatabase;
  let app: TestApp;
  let admin: string;
  let manager: string;
  let officer: string;
  let officer2: string;
  let kiosk: string;
  const clock = new SettableClock(inNairobi(TODAY, '09:50'));
  const catalogue = queueCatalogue(); // two services: a ticket can be transferred

  /** What left by SMS: the outbox drained first (as the worker does every second), and none of `template`'s notices still waiting. */
  const sms = async (template: string): Promise<Array<{ to_hash: string; body: string }>> => {
    await app.app.get(DrainNotices).drain();
    const waiting = async () => (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM citizen_notices WHERE kind = $1 AND status = 'pending'`, [template])).rows[0].n;
    await eventually(waiting, (n) => n === 0, 5_000, 20);
    return (await db.pool.query<{ to_hash: string; body: string }>('SELECT to_hash, body FROM notifications WHERE template = $1 ORDER BY id', [template])).rows;
  };
  const hashOf = (n: number) => app.runtime.vault.lookupHash(citizen(n).phone);
  const book = async (centre: string, n: number, time: string): Promise<string> => {
    const reply = await call(app, 'POST', '/v1/bookings', admin, bookingBody(centre, slotAt(TODAY, time), n, SERVICE), `notices-${centre}-${n}`);
    expect(reply.status).toBe(201);
    return reply.body.reference;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp({ databaseUrl: db.url, clock, catalogueDir: catalogue.dir });
    admin = await app.token('admin');
    manager = await app.token('manager', { subject: 'manager-achieng' });
    officer = await app.token('officer', { centre: CHOOSING, subject: 'officer-otieno' });
    officer2 = await app.token('officer', { centre: CHOOSING, subject: 'officer-wanjiru' });
    kiosk = await app.token('channel', { subject: 'kiosk-1' });
    const services = [
      { service: SERVICE, ticketLetter: 'A', slotCapacity: 4 },
      { service: BUSINESS, ticketLetter: 'B', slotCapacity: 0 },
    ];
    const counters = [
      { code: '1', name: 'Counter 1', services: [SERVICE] },
      { code: '2', name: 'Counter 2', services: [SERVICE] },
    ];
    for (const code of [CHOOSING, PLAIN]) expect((await call(app, 'PUT', `/v1/centres/${code}`, admin, { ...centreBody('2026-12-25', services, counters), name: `Centre ${code}` })).status).toBe(201);
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
    catalogue.remove();
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
    // Two workers' passes at the same moment: each booking is claimed by one of them.
    const core = app.app.get(BookingJobs);
    expect((await Promise.all([core.sendHourReminders(), core.sendHourReminders()])).reduce((a, b) => a + b)).toBe(1);
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
    expect((await takeTicket(app, kiosk, CHOOSING, { service: SERVICE })).status).toBe(201); // a walk-in who left no phone
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

  it('texts a walk-in who left a phone once, never shows the phone, and refuses a phone on a check-in', async () => {
    const refused = await takeTicket(app, kiosk, CHOOSING, { bookingReference: 'K7QM-4X3P', phone: citizen(8).phone });
    expect(refused.status).toBe(422);
    const issued: Array<Awaited<ReturnType<typeof takeTicket>>> = [];
    for (const n of [6, 7, 9]) {
      clock.advance(60_000);
      issued.push(await takeTicket(app, kiosk, CHOOSING, { service: SERVICE, phone: citizen(n).phone }));
    }
    expect(issued.map((t) => [t.status, t.body.position])).toEqual([[201, 1], [201, 2], [201, 3]]);
    expect(JSON.stringify(issued.map((t) => t.body))).not.toMatch(/2547|phone/);
    const { rows } = await db.pool.query<{ phone_sealed: Buffer }>('SELECT phone_sealed FROM queue_tickets WHERE id = $1', [issued[0].body.id]);
    expect(rows[0].phone_sealed.toString('latin1')).not.toContain(citizen(6).phone);
    // Two counters call at the same moment: whoever is then next in line is texted once.
    expect((await call(app, 'POST', `/v1/centres/${CHOOSING}/counters/2/open`, officer2)).status).toBe(201);
    const called = await Promise.all([
      call(app, 'POST', `/v1/centres/${CHOOSING}/counters/1/call-next`, officer),
      call(app, 'POST', `/v1/centres/${CHOOSING}/counters/2/call-next`, officer2),
    ]);
    expect(called.map((c) => c.body.ticket.number).sort()).toEqual([issued[0].body.number, issued[1].body.number].sort());
    const texted = (await sms('ticket-call-ahead')).map((t) => t.to_hash);
    expect(texted.filter((h) => h === hashOf(9))).toHaveLength(1);
    expect(texted).not.toContain(hashOf(6)); // called at once: never texted
    const kept = async () =>
      (await db.pool.query<{ id: string }>('SELECT id FROM queue_tickets WHERE phone_sealed IS NOT NULL AND id = ANY($1)', [issued.map((t) => t.body.id)])).rows.map((r) => r.id);
    expect(await kept()).toEqual([issued[2].body.id]); // the called ones' phones are gone; the texted one waits with its own
    // Called in turn, the last ticket is not texted again, and its phone goes with the call.
    expect((await call(app, 'POST', `/v1/centres/${CHOOSING}/counters/1/call-next`, officer)).body.ticket.number).toBe(issued[2].body.number);
    expect((await sms('ticket-call-ahead')).map((t) => t.to_hash)).toEqual(texted);
    expect(await kept()).toEqual([]);
  });

  it('calls a ticket in its turn while its call-ahead SMS is being claimed', async () => {
    // A claim still open in another database session (an api replica texting this walk-in right
    // now) must not hide the ticket from a counter: before migration 0129 the claim wrote the
    // ticket's row, and call-next's SKIP LOCKED pick passed over it to the next in line.
    const issued: Array<Awaited<ReturnType<typeof takeTicket>>> = [];
    for (const n of [10, 11]) {
      clock.advance(60_000);
      issued.push(await takeTicket(app, kiosk, CHOOSING, { service: SERVICE, phone: citizen(n).phone }));
    }
    expect(issued.map((t) => t.status)).toEqual([201, 201]);
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      const texting = new PgTicketRepository(client as unknown as Pool, app.runtime.audit);
      expect(await texting.claimCallAhead(issued[0].body.id, clock.now())).toBe(true);
      const called = await call(app, 'POST', `/v1/centres/${CHOOSING}/counters/1/call-next`, officer);
      expect(called.body.ticket.number).toBe(issued[0].body.number);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const claims = await db.pool.query<{ ticket_id: string }>('SELECT ticket_id FROM ticket_call_aheads WHERE ticket_id = ANY($1)', [issued.map((t) => t.body.id)]);
    expect(claims.rows.map((r) => r.ticket_id)).toContain(issued[0].body.id);
    expect((await call(app, 'POST', `/v1/centres/${CHOOSING}/counters/1/call-next`, officer)).body.ticket.number).toBe(issued[1].body.number);
  });

  /**
   * Holds the statements of whoever acts on `ticketId` next at its audit chain's head (locked in an
   * open transaction of another session) while `act` runs, until `during` is done: the act has then
   * taken the ticket (call-next's pick, a change's row lock) and not committed.
   */
  const inFlight = async <T>(ticketId: string, act: () => Promise<T>, during: () => Promise<void>): Promise<T> => {
    const holder = await db.pool.connect();
    let acting: Promise<T> | undefined;
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM audit_chain_heads WHERE shard = $1 FOR UPDATE', [shardOf(ticketId, app.runtime.audit.shards)]);
      acting = act();
      await someoneWaitsFor(db.pool, `locktype = 'transactionid'`);
      await during();
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    return acting;
  };

  it('texts no ticket while a counter is calling it or someone is changing it (migration 0139), and texts it later if it still waits', async () => {
    // The race behind two counters calling at once: counter 2's call committed, and its call-ahead
    // reads the queue while counter 1's call of the next ticket is still in flight. That ticket
    // still reads "waiting", first in line, and its citizen was texted as counter 1 called them.
    const issued: Array<Awaited<ReturnType<typeof takeTicket>>> = [];
    for (const n of [12, 13, 14]) {
      clock.advance(60_000);
      issued.push(await takeTicket(app, kiosk, CHOOSING, { service: SERVICE, phone: citizen(n).phone }));
    }
    const [calledNow, , moved] = issued.map((t) => t.body);
    const callAhead = app.app.get(CallAhead);
    const called = await inFlight(
      calledNow.id,
      () => call(app, 'POST', `/v1/centres/${CHOOSING}/counters/1/call-next`, officer),
      async () => expect(await callAhead.afterCall(CHOOSING, SERVICE, clock.now())).toBe(0),
    );
    expect(called.body.ticket.number).toBe(calledNow.number);
    // The call's own call-ahead, after its commit: the next in line is texted, the called one never.
    expect((await sms('ticket-call-ahead')).map((t) => t.to_hash).filter((h) => [hashOf(12), hashOf(13)].includes(h))).toEqual([hashOf(13)]);

    // A change of the ticket in flight (a transfer to another queue): no claim until it commits; then one.
    const claims = new PgTicketRepository(db.pool, app.runtime.audit);
    const transferred = await inFlight(
      moved.id,
      () => call(app, 'POST', `/v1/tickets/${moved.id}/transfer`, officer, { service: BUSINESS }),
      // Refused at once: a claim that waited for the change's row lock would be texting it after.
      async () => {
        const waited = new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 3_000).unref());
        expect(await Promise.race([claims.claimCallAhead(moved.id, clock.now()), waited])).toBe(false);
      },
    );
    expect(transferred.status).toBe(200);
    expect(await claims.claimCallAhead(moved.id, clock.now())).toBe(true);
  });

  it('texts a ticket again when it is transferred to another queue and nears its front', async () => {
    // The other queue emptied first (the ticket moved there above goes back, to be called with the rest).
    const { rows: inBusiness } = await db.pool.query<{ id: string }>(`SELECT id FROM queue_tickets WHERE service_code = $1 AND state = 'waiting'`, [BUSINESS]);
    for (const { id } of inBusiness) expect((await call(app, 'POST', `/v1/tickets/${id}/transfer`, officer, { service: SERVICE })).status).toBe(200);
    clock.advance(60_000);
    const ticket = (await takeTicket(app, kiosk, CHOOSING, { service: SERVICE, phone: citizen(15).phone })).body;
    const callAhead = app.app.get(CallAhead);
    // Every other waiting ticket of the service is called first: this one is then next, and texted.
    const counter = () => call(app, 'POST', `/v1/centres/${CHOOSING}/counters/1/call-next`, officer);
    while ((await db.pool.query(`SELECT 1 FROM queue_tickets WHERE service_code = $1 AND state = 'waiting' AND id <> $2`, [SERVICE, ticket.id])).rowCount) {
      expect((await counter()).status).toBe(200);
    }
    expect(await callAhead.afterCall(CHOOSING, SERVICE, clock.now())).toBe(0); // texted by the last call already
    expect((await sms('ticket-call-ahead')).filter((t) => t.to_hash === hashOf(15))).toHaveLength(1);

    expect((await call(app, 'POST', `/v1/tickets/${ticket.id}/transfer`, officer, { service: BUSINESS })).status).toBe(200);
    expect(await callAhead.afterCall(CHOOSING, BUSINESS, clock.now())).toBe(1);
    expect(await callAhead.afterCall(CHOOSING, BUSINESS, clock.now())).toBe(0); // once per queue
    expect((await sms('ticket-call-ahead')).filter((t) => t.to_hash === hashOf(15))).toHaveLength(2);
  });
});

/**
 * The call-ahead SMS through Africa's Talking (a real local server): the counter's call answers
 * without waiting for the provider, and a provider failure leaves the text in the outbox to be
 * tried again, not lost. An api process alone, so nothing drains the outbox but the test.
 */
describeWithPostgres("the call-ahead SMS through Africa's Talking", () => {
  let db: TestDatabase;
  let provider: SmsProviderSimulator;
  let app: TestApp;
  const clock = new SettableClock(inNairobi(TODAY, '10:00'));
  const catalogue = queueCatalogue();

  beforeAll(async () => {
    db = await createTestDatabase();
    provider = await startSmsProvider();
    app = await startTestApp({
      databaseUrl: db.url,
      clock,
      catalogueDir: catalogue.dir,
      role: 'api',
      env: { KIUNGO_SMS_DRIVER: 'africastalking', AT_USERNAME: 'huduma', AT_API_KEY: 'at-test-key', AT_SENDER_ID: 'HUDUMA', AT_SMS_URL: provider.url },
    });
  });

  afterAll(async () => {
    await app?.close();
    await provider?.close();
    await db?.close();
    catalogue.remove();
  });

  it('answers the call before the SMS leaves, and keeps the SMS to try again when the provider fails', async () => {
    const admin = await app.token('admin');
    const officer = await app.token('officer', { centre: CHOOSING, subject: 'officer-otieno' });
    const kiosk = await app.token('channel', { subject: 'kiosk-1' });
    const services = [{ service: SERVICE, ticketLetter: 'A', slotCapacity: 4 }];
    expect((await call(app, 'PUT', `/v1/centres/${CHOOSING}`, admin, { ...centreBody('2026-12-25', services, [{ code: '1', name: 'Counter 1', services: [SERVICE] }]), name: 'Centre' })).status).toBe(201);
    expect((await call(app, 'PUT', `/v1/centres/${CHOOSING}/notice-choices`, await app.token('manager'), { hourBeforeReminder: false, callAheadPlaces: 1 })).status).toBe(200);
    const tickets = [];
    for (const n of [21, 22]) {
      clock.advance(60_000);
      tickets.push(await takeTicket(app, kiosk, CHOOSING, { service: SERVICE, phone: citizen(n).phone }));
    }
    expect((await call(app, 'POST', `/v1/centres/${CHOOSING}/counters/1/open`, officer)).status).toBe(201);

    provider.failNext(1);
    const called = await call(app, 'POST', `/v1/centres/${CHOOSING}/counters/1/call-next`, officer);
    expect(called.body.ticket.number).toBe(tickets[0].body.number);
    expect(provider.received).toHaveLength(0); // the call did not wait for the provider
    const notices = async () => (await db.pool.query<{ status: string; attempts: number }>(`SELECT status, attempts FROM citizen_notices WHERE kind = 'ticket-call-ahead'`)).rows;
    expect(await notices()).toEqual([{ status: 'pending', attempts: 0 }]);

    const drain = app.app.get(DrainNotices);
    expect(await drain.drain()).toEqual({ sent: 0, retrying: 1, failed: 0 });
    expect(provider.received).toHaveLength(1);
    expect(await notices()).toEqual([{ status: 'pending', attempts: 1 }]); // kept, due again later
    await db.pool.query(`UPDATE citizen_notices SET next_attempt_at = now() WHERE kind = 'ticket-call-ahead'`); // its back-off, passed
    expect(await drain.drain()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(provider.received.map((r) => [r.form.get('to'), r.form.get('message')])).toEqual([
      [citizen(22).phone, `Huduma Centre: ticket ${tickets[1].body.number} is next to be called. Please come back to the hall now.`],
      [citizen(22).phone, `Huduma Centre: ticket ${tickets[1].body.number} is next to be called. Please come back to the hall now.`],
    ]);
  });
});
