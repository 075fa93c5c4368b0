import { randomUUID } from 'node:crypto';
import type { TestDatabase } from '../factories/database';
import { eventually, type TestApp } from '../factories/app';
import { AuditLog } from '../../core/audit/audit-log';
import { BoardsController } from '../../gateway/src/walk-in/boards/boards.controller';
import { inNairobi as at, SettableClock } from '../factories/clock';
import { BUSINESS, call, ID_CARD, openBoard, SHA, takeTicket, startQueueWorld, type QueueWorld } from './queue.helpers';

const DAY = '2026-11-24'; // a Tuesday

/**
 * Walk-in queues end to end: tickets, counters, call-next, recall/transfer/no-show/complete,
 * feedback, the SSE board, and refusals that change nothing. The app runs on a settable clock.
 */
describe('queues, counters and boards', () => {
  let db: TestDatabase;
  let app: TestApp;
  let world: QueueWorld;
  const clock = new SettableClock(at(DAY, '10:00'));
  let centre: string;
  let kiosk: string;
  let officer1: string;
  let officer2: string;
  let officer3: string;

  beforeAll(async () => {
    world = await startQueueWorld({ clock, slotCapacity: 2 });
    ({ db, app, centre } = world);
    kiosk = await app.token('channel', { subject: 'kiosk-1' });
    officer1 = await app.token('officer', { centre, subject: 'officer-1' });
    officer2 = await app.token('officer', { centre, subject: 'officer-2' });
    officer3 = await app.token('officer', { centre, subject: 'officer-3' });
  });

  afterAll(async () => {
    await world?.close();
  });

  const waitingCount = async () => Number((await db.pool.query(`SELECT count(*) AS n FROM queue_tickets WHERE centre_code = $1 AND state = 'waiting'`, [centre])).rows[0].n);
  const eventCount = async () => Number((await db.pool.query(`SELECT count(*) AS n FROM queue_events WHERE centre_code = $1`, [centre])).rows[0].n);

  it('numbers walk-in tickets per service letter, puts protected classes first, and replays a repeated key', async () => {
    clock.set(at(DAY, '10:00'));
    const first = await takeTicket(app, kiosk, centre, { service: ID_CARD }, 'key-1');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ number: 'A001', service: ID_CARD, priority: 'none', state: 'waiting', position: 1 });
    expect(first.body.estimatedWaitSeconds).toBeGreaterThan(0);

    clock.advance(60_000);
    const second = await takeTicket(app, kiosk, centre, { service: ID_CARD });
    expect(second.body).toMatchObject({ number: 'A002', position: 2 });
    const business = await takeTicket(app, kiosk, centre, { service: BUSINESS });
    expect(business.body).toMatchObject({ number: 'B001', position: 1 });
    clock.advance(60_000);
    const elderly = await takeTicket(app, kiosk, centre, { service: ID_CARD, priority: 'elderly' });
    expect(elderly.body).toMatchObject({ number: 'A003', priority: 'elderly', position: 1 });

    const replay = await takeTicket(app, kiosk, centre, { service: ID_CARD }, 'key-1');
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(first.body.id);
    expect(await waitingCount()).toBe(4);
  });

  it('refuses call-next on a closed counter with a problem naming it, changing nothing', async () => {
    const before = await eventCount();
    const reply = await call(app, 'POST', `/v1/centres/${centre}/counters/2/call-next`, officer2);
    expect(reply.status).toBe(409);
    expect(reply.contentType).toContain('application/problem+json');
    expect(reply.body.type).toMatch(/counter-closed$/);
    expect(reply.body.detail).toContain('Counter 2 is closed');
    expect(await waitingCount()).toBe(4);
    expect(await eventCount()).toBe(before);
  });

  it('opens counters per officer, one officer per counter', async () => {
    const opened = await call(app, 'POST', `/v1/centres/${centre}/counters/2/open`, officer2);
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ counter: '2', officer: 'officer-2', closedAt: null });
    expect((await call(app, 'POST', `/v1/centres/${centre}/counters/2/open`, officer2)).status).toBe(200);
    const taken = await call(app, 'POST', `/v1/centres/${centre}/counters/2/open`, officer1);
    expect(taken.status).toBe(409);
    expect(taken.body.type).toMatch(/counter-taken$/);
    expect((await call(app, 'POST', `/v1/centres/${centre}/counters/9/open`, officer1)).status).toBe(404);
    const elsewhere = await app.token('officer', { centre: 'NRB-GPO', subject: 'officer-x' });
    expect((await call(app, 'POST', `/v1/centres/${centre}/counters/1/open`, elsewhere)).status).toBe(403);
    expect((await call(app, 'POST', `/v1/centres/${centre}/counters/1/open`, officer1)).status).toBe(201);
    expect((await call(app, 'POST', `/v1/centres/${centre}/counters/3/open`, officer3)).status).toBe(201);
  });

  it('pushes a "called" event to the live board, after a snapshot', async () => {
    const board = await openBoard(app, centre);
    try {
      expect(board.status).toBe(200);
      expect(board.contentType).toContain('text/event-stream');
      await eventually(async () => board.events.length, (n) => n >= 1);
      expect(board.events[0]).toMatchObject({ event: 'snapshot', data: { centre, waiting: { [ID_CARD]: 3, [BUSINESS]: 1 } } });

      clock.set(at(DAY, '10:10'));
      const called = await call(app, 'POST', `/v1/centres/${centre}/counters/2/call-next`, officer2);
      expect(called.status).toBe(200);
      // Elderly first, though it arrived last.
      expect(called.body.ticket).toMatchObject({ number: 'A003', state: 'called', counter: '2' });

      await eventually(async () => board.events.map((e) => e.event), (types) => types.includes('called') && types.lastIndexOf('waiting') > types.indexOf('called'));
      expect(board.events.find((e) => e.event === 'called')?.data).toMatchObject({ number: 'A003', counter: '2', service: ID_CARD, recall: false });
      expect(board.events.filter((e) => e.event === 'waiting').pop()?.data.waiting).toEqual({ [ID_CARD]: 2, [BUSINESS]: 1 });
    } finally {
      board.close();
    }
    // The hang-up ends the stream and its bus subscription on the server.
    const boards = app.app.get(BoardsController);
    await eventually(async () => boards.openStreams(), (n) => n === 0);
  });

  it('completes a visit linked to its transactions, takes one feedback, and refuses a rating of 7', async () => {
    const current = await db.pool.query(`SELECT id FROM queue_tickets WHERE centre_code = $1 AND state = 'called'`, [centre]);
    const id = current.rows[0].id as string;

    const unknown = randomUUID();
    const refused = await call(app, 'POST', `/v1/tickets/${id}/complete`, officer2, { transactionIds: [unknown] });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([{ field: '/transactionIds/0', message: 'names no transaction' }]);

    // A transaction submitted at the counter during the visit (a bare row: only its id matters here).
    const transactionId = randomUUID();
    await db.pool.query(
      `INSERT INTO transactions (id, service_code, agency_code, channel, centre_code, submitted_by, citizen_id_hash, citizen_sealed, payload_sealed, state, max_attempts)
       VALUES ($1, $2, 'nrb', 'counter', $3, 'officer-2', 'hash', '\\x00', '\\x00', 'completed', 1)`,
      [transactionId, ID_CARD, centre],
    );
    clock.set(at(DAY, '10:16'));
    const done = await call(app, 'POST', `/v1/tickets/${id}/complete`, officer2, { transactionIds: [transactionId.toUpperCase()] });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ state: 'completed', endedAt: at(DAY, '10:16').toISOString(), transactionIds: [transactionId] });

    const seven = await call(app, 'POST', `/v1/tickets/${id}/feedback`, kiosk, { rating: 7 });
    expect(seven.status).toBe(422);
    expect(seven.body.errors).toEqual([{ field: '/rating', message: 'must be at most 5' }]);
    const long = await call(app, 'POST', `/v1/tickets/${id}/feedback`, kiosk, { rating: 4, comment: 'x'.repeat(501) });
    expect(long.status).toBe(422);
    expect(long.body.errors[0].field).toBe('/comment');

    const given = await call(app, 'POST', `/v1/tickets/${id}/feedback`, kiosk, { rating: 5, comment: 'Quick and kind' });
    expect(given.status).toBe(201);
    expect(given.body).toMatchObject({ number: 'A003', rating: 5 });
    const again = await call(app, 'POST', `/v1/tickets/${id}/feedback`, kiosk, { rating: 1 });
    expect(again.status).toBe(409);
    expect(again.body.type).toMatch(/feedback-already-given$/);
    const stored = await db.pool.query(`SELECT rating, comment_sealed FROM ticket_feedback WHERE ticket_id = $1`, [id]);
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0].rating).toBe(5);
    expect(stored.rows[0].comment_sealed.toString('latin1')).not.toContain('Quick and kind');
    expect(app.runtime.vault.open(stored.rows[0].comment_sealed)).toBe('Quick and kind');
  });

  it('refuses a transfer to a service the centre lacks, and a transfer keeps the number and the arrival time', async () => {
    clock.set(at(DAY, '10:20'));
    const called = await call(app, 'POST', `/v1/centres/${centre}/counters/2/call-next`, officer2);
    expect(called.body.ticket).toMatchObject({ number: 'A001' });
    const id = called.body.ticket.id as string;
    const before = await eventCount();

    const lacking = await call(app, 'POST', `/v1/tickets/${id}/transfer`, officer2, { service: SHA });
    expect(lacking.status).toBe(422);
    expect(lacking.body.type).toMatch(/service-not-offered$/);
    expect(lacking.body.errors).toEqual([{ field: '/service', message: `is not offered at ${centre}` }]);
    expect(await eventCount()).toBe(before);
    expect((await call(app, 'GET', `/v1/tickets/${id}`, officer2)).body).toMatchObject({ state: 'called', service: ID_CARD, counter: '2' });

    // A later business-name walk-in: the transferred ticket still goes first (it arrived at 10:00).
    clock.set(at(DAY, '10:21'));
    const later = await takeTicket(app, kiosk, centre, { service: BUSINESS });
    expect(later.body.number).toBe('B002');
    const moved = await call(app, 'POST', `/v1/tickets/${id}/transfer`, officer2, { service: BUSINESS });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ number: 'A001', service: BUSINESS, state: 'waiting', counter: null, arrivedAt: at(DAY, '10:00').toISOString() });

    const atThree = await call(app, 'POST', `/v1/centres/${centre}/counters/3/call-next`, officer3);
    expect(atThree.body.ticket).toMatchObject({ number: 'A001', counter: '3' });
    const next = await call(app, 'POST', `/v1/centres/${centre}/counters/3/call-next`, officer3);
    expect(next.body.ticket).toMatchObject({ number: 'B001' });
  });

  it('records each call on the audit chain in the call itself: the first call marked, the service and counter of each', async () => {
    const a001 = await db.pool.query<{ id: string }>(`SELECT id FROM queue_tickets WHERE centre_code = $1 AND letter = 'A' AND number = 1`, [centre]);
    const audit = app.app.get(AuditLog);
    const calls = (await audit.history(db.pool, 'ticket', a001.rows[0].id)).filter((e) => e.type === 'called');
    expect(calls.map((e) => [e.actor, e.occurredAt.toISOString(), e.data])).toEqual([
      ['officer-2', at(DAY, '10:20').toISOString(), { centre, counter: '2', service: ID_CARD, number: 'A001', first: true }],
      ['officer-3', at(DAY, '10:21').toISOString(), { centre, counter: '3', service: BUSINESS, number: 'A001', first: false }],
    ]);
    expect(await audit.verify(db.pool)).toMatchObject({ ok: true, breaks: [] });
  });

  it('recalls and marks no-show; a finished ticket cannot be recalled', async () => {
    const current = await call(app, 'POST', `/v1/centres/${centre}/counters/1/call-next`, officer1);
    expect(current.body.ticket.number).toBe('A002');
    const id = current.body.ticket.id as string;
    const recalled = await call(app, 'POST', `/v1/tickets/${id}/recall`, officer1);
    expect(recalled.body).toMatchObject({ state: 'called', recalls: 1 });
    expect((await call(app, 'POST', `/v1/tickets/${id}/no-show`, officer1)).body.state).toBe('no_show');
    const late = await call(app, 'POST', `/v1/tickets/${id}/recall`, officer1);
    expect(late.status).toBe(409);
    expect(late.body.type).toMatch(/ticket-state$/);
  });

  it('checks a booking in as an appointment ticket that goes first near its slot', async () => {
    clock.set(at(DAY, '11:00'));
    const booked = await call(app, 'POST', '/v1/bookings', kiosk,
      { centre, service: ID_CARD, slotStart: at(DAY, '11:30').toISOString(), citizen: { idNumber: '23456789', phone: '+254712345678' }, channel: 'portal' },
      { 'idempotency-key': randomUUID() });
    expect(booked.status).toBe(201);
    const walkIn = await takeTicket(app, kiosk, centre, { service: ID_CARD });
    clock.set(at(DAY, '11:05'));
    const checkedIn = await takeTicket(app, kiosk, centre, { bookingReference: booked.body.reference.toLowerCase() });
    expect(checkedIn.status).toBe(201);
    expect(checkedIn.body).toMatchObject({ priority: 'appointment', bookingReference: booked.body.reference, service: ID_CARD, position: 2 });
    expect((await call(app, 'GET', `/v1/bookings/${booked.body.reference}`, kiosk)).body.status).toBe('checked_in');
    // Checking in twice gives the same ticket back.
    const again = await takeTicket(app, kiosk, centre, { bookingReference: booked.body.reference });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(checkedIn.body.id);

    clock.set(at(DAY, '11:20'));
    const first = await call(app, 'POST', `/v1/centres/${centre}/counters/2/call-next`, officer2);
    expect(first.body.ticket).toMatchObject({ id: checkedIn.body.id, priority: 'appointment' });
    const second = await call(app, 'POST', `/v1/centres/${centre}/counters/2/call-next`, officer2);
    expect(second.body.ticket).toMatchObject({ id: walkIn.body.id });
  });

  it('answers 404 problems for an unknown centre or ticket', async () => {
    for (const reply of [
      await takeTicket(app, kiosk, 'ZZZ-NOWHERE', { service: ID_CARD }),
      await call(app, 'GET', '/v1/centres/ZZZ-NOWHERE/board', null),
      await call(app, 'GET', '/boards/ZZZ-NOWHERE', null),
      await call(app, 'GET', `/v1/centres/ZZZ-NOWHERE/kpis?date=${DAY}`, await app.token('manager')),
      await call(app, 'POST', `/v1/tickets/${randomUUID()}/recall`, officer1),
    ]) {
      expect(reply.status).toBe(404);
      expect(reply.contentType).toContain('application/problem+json');
    }
    const bad = await takeTicket(app, kiosk, centre, { service: ID_CARD, priority: 'vip' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([{ field: '/priority', message: 'must be one of: elderly, disability, expectant, none' }]);
  });

  it('takes no walk-ins after closing time, but still calls the tickets issued before', async () => {
    clock.set(at(DAY, '16:59'));
    const lastOne = await takeTicket(app, kiosk, centre, { service: ID_CARD });
    expect(lastOne.status).toBe(201);
    clock.set(at(DAY, '17:00'));
    const before = await eventCount();
    const closed = await takeTicket(app, kiosk, centre, { service: ID_CARD });
    expect(closed.status).toBe(409);
    expect(closed.body.type).toMatch(/centre-closed$/);
    expect(closed.body.detail).toContain('closed at 17:00');
    expect(await eventCount()).toBe(before);

    clock.set(at(DAY, '17:30'));
    const served = await call(app, 'POST', `/v1/centres/${centre}/counters/2/call-next`, officer2);
    expect(served.body.ticket).toMatchObject({ number: lastOne.body.number });
  });

  it('serves a plain HTML board that follows the stream', async () => {
    const page = await call(app, 'GET', `/boards/${centre}`, null);
    expect(page.status).toBe(200);
    expect(page.contentType).toContain('text/html');
    expect(page.body).toContain(`new EventSource('/v1/centres/' + encodeURIComponent(centre.code) + '/board')`);
    expect(page.body).toContain(`"code":"${centre}"`);
  });
});
