import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { OutageRepository, outageNoticeKey } from '../../core/agencies/outage.repository';
import { normalisePhone } from '../../core/bookings/domain/booking';
import { FollowApplication } from '../../core/follow-up/follow-application';
import { NoticeOutbox } from '../../core/notifications/notice-outbox';
import { RetentionService } from '../../gateway/src/privacy/retention.service';
import type { PersonalDataVault } from '../../core/shared/personal-data';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { eventually, startTestApp, type TestApp } from '../factories/app';
import { newSealKey } from '../factories/audit-world';
import { OPEN_HOUR, SettableClock } from '../factories/clock';
import { bookingBody, call, centreBody, citizen, day, slotAt, SERVICE } from './bookings.helpers';
import { takeTicket } from './queue.helpers';
import { json, nrbEnvelope, submit } from './transactions.helpers';

const CENTRE = 'TST-ERASE';
const DAY_MS = 86_400_000;
const ERASED_CITIZEN = citizen(1);
const KEPT_CITIZEN = citizen(2);
/** A phone the erased citizen left only at a walk-in kiosk and used for a status look-up: named in the erasure request. */
const WALK_IN_PHONE = '+254799000001';
/** A phone nobody knows to be the erased citizen's, from which their ID number was typed into USSD. */
const BORROWED_PHONE = '+254733000003';
/** A phone first seen after the clock moved: within retention. */
const FRESH_PHONE = '+254700000009';
const USSD_SECRET = 'erasure-ussd-secret-0123456789';

/** Every sealed value in every table that holds personal data, opened with the app's key (and the record's data key), as text. */
async function everythingSealed(pool: Pool, vault: PersonalDataVault): Promise<string> {
  const { rows } = await pool.query<{ sealed: Buffer; key: Buffer | null }>(
    `SELECT citizen_sealed AS sealed, k.key_sealed AS key FROM transactions t LEFT JOIN citizen_keys k ON k.record_id = t.id
     UNION ALL SELECT payload_sealed, k.key_sealed FROM transactions t LEFT JOIN citizen_keys k ON k.record_id = t.id
     UNION ALL SELECT citizen_sealed, k.key_sealed FROM bookings b LEFT JOIN citizen_keys k ON k.record_id = b.id
     UNION ALL SELECT to_sealed, NULL FROM notifications
     UNION ALL SELECT phone_sealed, NULL FROM citizen_notices WHERE phone_sealed IS NOT NULL
     UNION ALL SELECT phone_sealed, NULL FROM queue_tickets WHERE phone_sealed IS NOT NULL
     UNION ALL SELECT comment_sealed, NULL FROM ticket_feedback WHERE comment_sealed IS NOT NULL
     UNION ALL SELECT state_sealed, NULL FROM ussd_sessions`,
  );
  return rows.map((r) => JSON.stringify(vault.open(r.sealed, r.key))).join('\n');
}

/** A copy of a citizen's records' sealed values as a backup or a dump holds them (the keys' table aside). */
async function copyOfRecords(pool: Pool, ids: string[]): Promise<Array<{ id: string; kind: 'citizen' | 'payload'; sealed: Buffer }>> {
  const { rows } = await pool.query<{ id: string; kind: 'citizen' | 'payload'; sealed: Buffer }>(
    `SELECT id::text, 'citizen' AS kind, citizen_sealed AS sealed FROM transactions WHERE id = ANY($1::uuid[])
     UNION ALL SELECT id::text, 'payload', payload_sealed FROM transactions WHERE id = ANY($1::uuid[])
     UNION ALL SELECT id::text, 'citizen', citizen_sealed FROM bookings WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return rows;
}

/** The free text typed on transactions (manual outcomes, conflicts), as stored. */
async function notes(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ text: string }>("SELECT coalesce(manual_outcome::text, '') || coalesce(conflict::text, '') AS text FROM transactions");
  return rows.map((r) => r.text).join('\n');
}

/** Rows per table holding this keyed hash (of an ID number or a phone). */
async function hashed(pool: Pool, hash: string): Promise<Record<string, number>> {
  const { rows } = await pool.query<Record<string, string>>(
    `SELECT (SELECT count(*) FROM transactions WHERE citizen_id_hash = $1) AS transactions,
            (SELECT count(*) FROM bookings WHERE citizen_id_hash = $1) AS bookings,
            (SELECT count(*) FROM notifications WHERE to_hash = $1) AS notifications,
            (SELECT count(*) FROM phone_rate_limits WHERE phone_hash = $1) AS "rateLimits",
            (SELECT count(*) FROM ussd_sessions WHERE phone_hash = $1) AS "ussdSessions"`,
    [hash],
  );
  return Object.fromEntries(Object.entries(rows[0]).map(([table, n]) => [table, Number(n)]));
}

const NONE = { transactions: 0, bookings: 0, notifications: 0, rateLimits: 0, ussdSessions: 0 };

/** Stored Idempotency-Key answers naming any of these booking references or transaction / ticket ids. */
async function answersNaming(pool: Pool, ids: string[]): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM idempotency_keys WHERE body->>'reference' = ANY($1) OR body->>'id' = ANY($1)`, [ids]);
  return Number(rows[0].n);
}

/** Issue 9.4: one citizen erased on request, the rest erased after retention; the chain still verifies. */
describe('retention and erasure of personal data', () => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let app: TestApp;
  const clock = new SettableClock(OPEN_HOUR.at);
  let admin: string;
  let auditor: string;
  let operator: string;
  let channel: string;
  let officer: string;
  const erasedIds: string[] = [];
  let keptId: string;
  let erasedBooking: string;
  let keptBooking: string;
  const erasedTickets: string[] = [];
  let outageId: string;

  const erase = (token: string, body: unknown) => call(app, 'POST', '/v1/privacy/erasures', token, body);
  const verify = async (): Promise<{ ok: boolean; findings: unknown[] }> => (await call(app, 'GET', '/v1/audit/verify', auditor)).body;
  const hashOf = async (idNumber: string): Promise<number> =>
    Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM transactions WHERE citizen_id_hash = $1', [app.runtime.vault.lookupHash(idNumber)])).rows[0].n);
  const hashedBy = (value: string): Promise<Record<string, number>> => hashed(db.pool, app.runtime.vault.lookupHash(value));

  async function ussd(sessionId: string, phoneNumber: string, text: string): Promise<string> {
    const response = await fetch(`${app.url}/v1/channels/ussd?key=${USSD_SECRET}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ sessionId, serviceCode: '*384*19#', phoneNumber, text }).toString(),
    });
    expect(response.status).toBe(200);
    return response.text();
  }
  /** "Where is my application?" from this phone: one hit on the phone's look-up limit. */
  async function statusLookUp(phone: string): Promise<void> {
    const session = randomUUID();
    await ussd(session, phone, '');
    await ussd(session, phone, '4');
    expect(await ussd(session, phone, '4*NRB-NOPE-00')).toMatch(/^END /);
  }
  /** A booking conversation left open at its confirm screen: the live session holds the typed ID number. */
  async function ussdUpToConfirm(phone: string, idNumber: string): Promise<void> {
    const session = randomUUID();
    const steps: string[] = [];
    let screen = await ussd(session, phone, '');
    for (let step = 0; step < 8 && !screen.includes('Enter your national ID number'); step++) {
      steps.push('1');
      screen = await ussd(session, phone, steps.join('*'));
    }
    steps.push(idNumber);
    expect(await ussd(session, phone, steps.join('*'))).toMatch(/^CON Book .*\n1\. Confirm/);
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    app = await startTestApp({
      databaseUrl: db.url,
      endpointOverrides: { nrb: agency.url },
      clock,
      env: { KIUNGO_SEAL_KEY: newSealKey(), KIUNGO_RETENTION_DAYS: '30', KIUNGO_USSD_SECRET: USSD_SECRET },
    });
    admin = await app.token('admin', { subject: 'admin-kiprop' });
    auditor = await app.token('auditor', { subject: 'auditor-wambui' });
    operator = await app.token('operator');
    channel = await app.token('channel', { subject: 'portal' });
    officer = await app.token('officer', { centre: 'NRB-GPO', subject: 'officer-otieno' });
    const holiday = day(20, clock.now());
    expect((await call(app, 'PUT', `/v1/centres/${CENTRE}`, admin, centreBody(holiday, [{ service: SERVICE, ticketLetter: 'A', slotCapacity: 5 }]))).status).toBe(201);

    for (const person of [ERASED_CITIZEN, ERASED_CITIZEN, KEPT_CITIZEN]) {
      const response = await submit(app, officer, { ...nrbEnvelope({ idNumber: person.idNumber }), citizen: person });
      expect(response.status).toBe(200);
      const id = (await json(response)).id as string;
      if (person === ERASED_CITIZEN) erasedIds.push(id);
      else keptId = id;
    }
    // Notes an officer and a manager typed (a manual outcome, a conflict's manual side and its resolution),
    // stored as those routes store them: free text on the row, never in an event.
    const note = (person: { phone: string }, by: string): object => ({ outcome: 'completed', agencyRef: null, note: `Citizen reachable on ${person.phone}`, by, at: clock.now().toISOString() });
    for (const [id, person] of [[erasedIds[0], ERASED_CITIZEN], [keptId, KEPT_CITIZEN]] as const) {
      await db.pool.query('UPDATE transactions SET manual_outcome = $2 WHERE id = $1', [id, note(person, 'officer-otieno')]);
    }
    const conflict = { agency: { agencyRef: null, outcome: 'completed', at: clock.now().toISOString() }, manual: note(ERASED_CITIZEN, 'officer-otieno'), resolution: { decision: 'keep-agency', note: `Called ${ERASED_CITIZEN.phone}`, by: 'manager-achieng', at: clock.now().toISOString() } };
    await db.pool.query('UPDATE transactions SET conflict = $2 WHERE id = $1', [erasedIds[1], conflict]);

    const booked = await call(app, 'POST', '/v1/bookings', channel, bookingBody(CENTRE, slotAt(day(2, clock.now()), '10:00'), 1));
    expect(booked.status).toBe(201);
    erasedBooking = booked.body.reference;
    const kept = await call(app, 'POST', '/v1/bookings', channel, bookingBody(CENTRE, slotAt(day(3, clock.now()), '10:00'), 2));
    expect(kept.status).toBe(201);
    keptBooking = kept.body.reference;

    // Walk-ins who left a phone for the call-ahead SMS, each visit with a comment naming it (written as the
    // feedback route stores it, sealed: the route needs a completed visit, which needs counters and officers).
    for (const [phone, mine] of [[ERASED_CITIZEN.phone, true], [WALK_IN_PHONE, true], [KEPT_CITIZEN.phone, false]] as const) {
      const ticket = await takeTicket(app, channel, CENTRE, { service: SERVICE, phone });
      expect(ticket.status).toBe(201);
      if (mine) erasedTickets.push(ticket.body.id);
      const comment = app.runtime.vault.seal(`Asante! Call me back on ${phone}`);
      await db.pool.query(`INSERT INTO ticket_feedback (ticket_id, rating, comment_sealed, given_at, given_by) VALUES ($1, 5, $2, $3, 'kiosk')`, [ticket.body.id, comment, clock.now()]);
    }
    // The agency went down: the worker's outage watch put one SMS per booked citizen in the outbox (keyed by outage and booking).
    const outages = app.app.get(OutageRepository);
    outageId = (await outages.start({ id: randomUUID(), agencyCode: 'nrb', mode: 'manual', until: null, startedAt: clock.now() }))!.id;
    const bookingId = async (reference: string) => (await db.pool.query<{ id: string }>('SELECT id FROM bookings WHERE reference = $1', [reference])).rows[0].id;
    // Notices in the outbox: one tied to a transaction, one to an outage (no transaction).
    const outbox = app.app.get(NoticeOutbox);
    for (const [person, transactionId, booking] of [[ERASED_CITIZEN, erasedIds[0], erasedBooking], [KEPT_CITIZEN, keptId, keptBooking]] as const) {
      expect(await outbox.enqueue({ kind: 'completed', text: 'Huduma: your application is complete.', phone: person.phone, transactionId })).toBe(true);
      const key = outageNoticeKey(outageId, await bookingId(booking));
      expect(await outbox.enqueue({ kind: 'agency-outage', text: 'Huduma: the agency is down.', phone: person.phone, key })).toBe(true);
    }
    // The worker sends them (each then in the SMS log too); the outbox keeps each row, phone and all.
    await eventually(async () => (await db.pool.query("SELECT 1 FROM citizen_notices WHERE status <> 'sent'")).rowCount, (pending) => pending === 0);
    // USSD: status look-ups (the per-phone limit) and conversations still open with the ID number typed.
    for (const phone of [ERASED_CITIZEN.phone, WALK_IN_PHONE, KEPT_CITIZEN.phone]) await statusLookUp(phone);
    await ussdUpToConfirm(BORROWED_PHONE, ERASED_CITIZEN.idNumber);
    await ussdUpToConfirm(KEPT_CITIZEN.phone, KEPT_CITIZEN.idNumber);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await agency?.close();
    await db?.close();
  });

  it('refuses bad requests and other roles, naming the field, and changes nothing', async () => {
    const before = await everythingSealed(db.pool, app.runtime.vault);
    const bad = await erase(admin, { idNumber: '12-34', reason: 'ODPC request 2026/114' });
    expect(bad.status).toBe(422);
    expect(bad.contentType).toContain('application/problem+json');
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: '/idNumber' })]);
    expect(JSON.stringify(bad.body)).not.toContain('12-34');
    expect((await erase(admin, { idNumber: ERASED_CITIZEN.idNumber })).body.errors).toEqual([expect.objectContaining({ field: '/reason' })]);
    const badPhone = await erase(admin, { idNumber: ERASED_CITIZEN.idNumber, phone: '0799 000 001', reason: 'ODPC request 2026/114' });
    expect(badPhone.status).toBe(422);
    expect(badPhone.body.errors).toEqual([expect.objectContaining({ field: '/phone' })]);
    expect(JSON.stringify(badPhone.body)).not.toContain('0799 000 001');
    expect((await erase(operator, { idNumber: ERASED_CITIZEN.idNumber, reason: 'ODPC request 2026/114' })).status).toBe(403);
    expect(await everythingSealed(db.pool, app.runtime.vault)).toBe(before);
  });

  it('will not erase a citizen with a booking still to come, and says why', async () => {
    const refused = await erase(admin, { idNumber: ERASED_CITIZEN.idNumber, reason: 'ODPC request 2026/114' });
    expect(refused.status).toBe(409);
    expect(refused.body.type).toMatch(/citizen-has-open-business$/);
    expect(await hashOf(ERASED_CITIZEN.idNumber)).toBe(2);
  });

  // The SMS log holds the erased citizen's phone four times: booking confirmation, cancellation, two notices.
  it('erases one citizen: nothing of theirs can be read back, the other citizen is intact, and the chain verifies', async () => {
    expect((await call(app, 'POST', `/v1/bookings/${erasedBooking}/cancel`, channel)).status).toBe(200);
    const keptBefore = await hashedBy(KEPT_CITIZEN.phone);
    expect(keptBefore).toEqual({ ...NONE, notifications: 3, rateLimits: 1, ussdSessions: 2 });
    expect(await answersNaming(db.pool, [erasedBooking, ...erasedIds, ...erasedTickets])).toBe(5);

    // A backup taken before the erasure: each record's values, sealed under the record's own data key.
    const erasedBookingId = (await db.pool.query<{ id: string }>('SELECT id FROM bookings WHERE reference = $1', [erasedBooking])).rows[0].id;
    const backup = await copyOfRecords(db.pool, [...erasedIds, erasedBookingId]);
    expect(backup).toHaveLength(5);
    const keysBefore = await db.pool.query<{ record_id: string; key_sealed: Buffer }>('SELECT record_id::text, key_sealed FROM citizen_keys WHERE record_id = ANY($1::uuid[])', [
      [...erasedIds, erasedBookingId],
    ]);
    expect(keysBefore.rows.map((r) => r.record_id).sort()).toEqual([...erasedIds, erasedBookingId].sort());
    const keyOf = new Map(keysBefore.rows.map((r) => [r.record_id, r.key_sealed]));
    // Until the erasure, the copy opens with the keys the database holds (so the checks below can fail).
    expect(backup.map((b) => JSON.stringify(app.runtime.vault.open(b.sealed, keyOf.get(b.id)))).join('\n')).toContain(ERASED_CITIZEN.idNumber);

    const done = await erase(admin, { idNumber: ERASED_CITIZEN.idNumber, phone: WALK_IN_PHONE, reason: 'ODPC request 2026/114' });
    expect(done.status).toBe(200);
    expect(done.body).toEqual(
      expect.objectContaining({
        transactions: 2,
        bookings: 1,
        notifications: 4,
        notices: 2,
        tickets: 2,
        feedback: 2,
        rateLimits: 2,
        ussdSessions: 3,
        idempotencyKeys: 5,
        dataKeys: 3,
        erasedAt: clock.now().toISOString(),
      }),
    );
    expect(JSON.stringify(done.body)).not.toContain(ERASED_CITIZEN.idNumber);
    expect(JSON.stringify(done.body)).not.toContain(WALK_IN_PHONE);

    // Crypto-shredding: the backup's copy opens with nothing the database still holds (each key left
    // is another record's), nor with none; the other citizen's records still open with theirs.
    const keysLeft = (await db.pool.query<{ record_id: string; key_sealed: Buffer }>('SELECT record_id::text, key_sealed FROM citizen_keys')).rows;
    expect(keysLeft.map((k) => k.record_id).sort()).toEqual([keptId, (await db.pool.query<{ id: string }>('SELECT id FROM bookings WHERE reference = $1', [keptBooking])).rows[0].id].sort());
    for (const copy of backup) {
      for (const key of [null, ...keysLeft.map((k) => k.key_sealed)]) expect(() => app.runtime.vault.open(copy.sealed, key)).toThrow();
    }
    for (const kept of keysLeft) {
      const record = (await copyOfRecords(db.pool, [kept.record_id])).find((r) => r.kind === 'citizen')!;
      expect(app.runtime.vault.open<{ idNumber: string }>(record.sealed, kept.key_sealed).idNumber).toBe(KEPT_CITIZEN.idNumber);
    }
    // A row put back from that backup reads as erased, as the overwritten row does (never a 500).
    const view = async (): Promise<unknown> => {
      const read = await call(app, 'GET', `/v1/transactions/${erasedIds[0]}`, auditor);
      expect(read.status).toBe(200);
      return read.body;
    };
    const erasedView = await view();
    const restored = backup.find((b) => b.id === erasedIds[0] && b.kind === 'citizen')!;
    const tombstone = (await db.pool.query<{ sealed: Buffer }>('SELECT citizen_sealed AS sealed FROM transactions WHERE id = $1', [erasedIds[0]])).rows[0].sealed;
    await db.pool.query('UPDATE transactions SET citizen_sealed = $2 WHERE id = $1', [erasedIds[0], restored.sealed]);
    expect(await view()).toEqual(erasedView);
    await db.pool.query('UPDATE transactions SET citizen_sealed = $2 WHERE id = $1', [erasedIds[0], tombstone]);

    // Read every table directly: nothing sealed names them, no keyed hash of theirs is left, no stored answer shows them.
    const sealed = await everythingSealed(db.pool, app.runtime.vault);
    for (const theirs of [ERASED_CITIZEN.idNumber, ERASED_CITIZEN.phone, WALK_IN_PHONE]) expect(sealed).not.toContain(theirs);
    for (const theirs of [ERASED_CITIZEN.idNumber, ERASED_CITIZEN.phone, WALK_IN_PHONE, BORROWED_PHONE]) expect({ theirs, rows: await hashedBy(theirs) }).toEqual({ theirs, rows: NONE });
    expect(await answersNaming(db.pool, [erasedBooking, ...erasedIds, ...erasedTickets])).toBe(0);
    expect(await notes(db.pool)).not.toContain(ERASED_CITIZEN.phone);
    expect(await notes(db.pool)).toContain(`Citizen reachable on ${KEPT_CITIZEN.phone}`);
    // The other citizen: every row as it was.
    for (const kept of [KEPT_CITIZEN.idNumber, KEPT_CITIZEN.phone, `Call me back on ${KEPT_CITIZEN.phone}`]) expect(sealed).toContain(kept);
    expect(await hashedBy(KEPT_CITIZEN.phone)).toEqual(keptBefore);
    expect(await answersNaming(db.pool, [keptBooking, keptId])).toBe(2);
    // The outbox keeps the erased citizen's notices (what was sent, and when) with no phone.
    const notices = await db.pool.query<{ kind: string; phone: boolean; status: string }>('SELECT kind, phone_sealed IS NOT NULL AS phone, status FROM citizen_notices ORDER BY id');
    expect(notices.rows).toEqual([
      { kind: 'completed', phone: false, status: 'sent' },
      { kind: 'agency-outage', phone: false, status: 'sent' },
      { kind: 'completed', phone: true, status: 'sent' },
      { kind: 'agency-outage', phone: true, status: 'sent' },
    ]);

    expect(await hashOf(ERASED_CITIZEN.idNumber)).toBe(0);
    const found = await call(app, 'GET', `/v1/audit/transactions?citizen=${ERASED_CITIZEN.idNumber}`, auditor);
    expect(found.body.items).toEqual([]);
    const kept = await call(app, 'GET', `/v1/audit/transactions?citizen=${KEPT_CITIZEN.idNumber}`, auditor);
    expect(kept.body.items.map((t: { id: string }) => t.id)).toEqual([keptId]);

    // The facts stay: what was done, where and by whom, with no one named.
    const rows = await db.pool.query<{ state: string; agency_ref: string; personal_data_erased_at: Date }>(
      'SELECT state, agency_ref, personal_data_erased_at FROM transactions WHERE id = ANY($1::uuid[])',
      [erasedIds],
    );
    expect(rows.rows).toEqual(erasedIds.map(() => ({ state: 'completed', agency_ref: expect.stringMatching(/^NRB-/), personal_data_erased_at: clock.now() })));
    const event = await db.pool.query<{ actor: string; data: Record<string, unknown> }>("SELECT actor, data FROM audit_events WHERE type = 'personal_data_erased'");
    expect(event.rows).toEqual([{ actor: 'admin-kiprop', data: expect.objectContaining({ reason: 'ODPC request 2026/114', transactions: 2, bookings: 1, tickets: 2, dataKeys: 3 }) }]);
    expect(JSON.stringify(event.rows)).not.toMatch(new RegExp(`${ERASED_CITIZEN.idNumber}|\\${WALK_IN_PHONE}`));
    expect(await verify()).toEqual(expect.objectContaining({ ok: true, findings: [] }));
  });

  it('erases what is past retention on the worker, by the injected clock, and the chain still verifies', async () => {
    await app.app.get(OutageRepository).end(outageId, clock.now());
    // Past retention for every row so far, whichever clock stamped it: ours, or the database's own
    // (the SMS log, the outbox and Idempotency-Key answers take its now()), whatever today's date.
    const databaseNow = (await db.pool.query<{ now: Date }>('SELECT now()')).rows[0].now;
    const later = new Date(Math.max(databaseNow.getTime(), clock.now().getTime()) + 40 * DAY_MS);
    clock.set(later);
    // Within retention: a status look-up by SMS made now (its limit counter) stays.
    await app.app.get(FollowApplication).execute('NRB-NOPE-00', normalisePhone(FRESH_PHONE));
    await app.app.get(RetentionService).runOnce();

    const sealed = await everythingSealed(db.pool, app.runtime.vault);
    expect(sealed).not.toContain(KEPT_CITIZEN.idNumber);
    expect(sealed).not.toContain(KEPT_CITIZEN.phone);
    expect(await notes(db.pool)).not.toContain(KEPT_CITIZEN.phone);
    const left = await db.pool.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM transactions WHERE personal_data_erased_at IS NULL) + (SELECT count(*) FROM bookings WHERE personal_data_erased_at IS NULL)
            + (SELECT count(*) FROM queue_tickets WHERE phone_sealed IS NOT NULL) + (SELECT count(*) FROM ticket_feedback WHERE comment_sealed IS NOT NULL)
            + (SELECT count(*) FROM citizen_notices WHERE phone_sealed IS NOT NULL) + (SELECT count(*) FROM idempotency_keys)
            + (SELECT count(*) FROM citizen_keys) AS n`,
    );
    expect(Number(left.rows[0].n)).toBe(0);
    expect(await hashedBy(KEPT_CITIZEN.phone)).toEqual(NONE);
    const rateLimits = await db.pool.query<{ phone_hash: string; window_start: Date }>('SELECT phone_hash, window_start FROM phone_rate_limits');
    expect(rateLimits.rows).toEqual([{ phone_hash: app.runtime.vault.lookupHash(FRESH_PHONE), window_start: expect.any(Date) }]);
    expect(rateLimits.rows[0].window_start.getTime()).toBeGreaterThan(later.getTime() - DAY_MS);
    const purged = await db.pool.query<{ actor: string; data: Record<string, number> }>("SELECT actor, data FROM audit_events WHERE type = 'personal_data_purged'");
    expect(purged.rows).toEqual([
      {
        actor: 'system:retention',
        // The other citizen's: SMS log (booking confirmation, two notices), outbox, walk-in, feedback,
        // look-up limit, two expired USSD sessions, three stored answers (transaction, booking, ticket),
        // the data keys of the transaction and the booking.
        data: { transactions: 1, bookings: 1, notifications: 3, notices: 2, tickets: 1, feedback: 1, rateLimits: 1, ussdSessions: 2, idempotencyKeys: 3, dataKeys: 2 },
      },
    ]);
    expect(await verify()).toEqual(expect.objectContaining({ ok: true, findings: [] }));
  });
});
