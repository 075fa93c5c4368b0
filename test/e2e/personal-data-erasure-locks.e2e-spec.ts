import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { NoticeOutbox } from '../../core/notifications/notice-outbox';
import { PG_ERROR, pgErrorCode } from '../../core/db/pool';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';
import { eventually, startTestApp, type TestApp } from '../factories/app';
import { newSealKey } from '../factories/audit-world';
import { OPEN_HOUR, SettableClock } from '../factories/clock';
import { call, centreBody, citizen, day, SERVICE } from './bookings.helpers';
import { takeTicket } from './queue.helpers';

const CENTRE = 'TST-LOCKS';
const ERASED = citizen(1);
const OTHER_PHONE = '+254799000002';
const USSD_SECRET = 'erasure-locks-ussd-secret-0123456789';

/**
 * Erasing one citizen must not hold anyone else's walk-in ticket or outbox notice: call-next takes
 * waiting tickets with FOR UPDATE SKIP LOCKED, so a ticket the erasure locked is skipped at every
 * counter while it runs. The erasure finds the citizen's rows by the keyed hash of their phone;
 * only rows written before that hash was kept (none here but the one made so) are locked to be opened.
 */
describeWithPostgres('erasure of one citizen, beside everyone else waiting', () => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = new SettableClock(OPEN_HOUR.at);
  let admin: string;
  let channel: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp({ databaseUrl: db.url, clock, env: { KIUNGO_SEAL_KEY: newSealKey(), KIUNGO_USSD_SECRET: USSD_SECRET } });
    admin = await app.token('admin', { subject: 'admin-kiprop' });
    channel = await app.token('channel', { subject: 'portal' });
    const holiday = day(20, clock.now());
    expect((await call(app, 'PUT', `/v1/centres/${CENTRE}`, admin, centreBody(holiday, [{ service: SERVICE, ticketLetter: 'A', slotCapacity: 5 }]))).status).toBe(201);
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  /** Whether another session could lock the row now (it does not wait: a row locked elsewhere answers false). */
  async function lockable(table: 'queue_tickets' | 'citizen_notices', id: string): Promise<boolean> {
    try {
      await db.pool.query(`SELECT 1 FROM ${table} WHERE id = $1 FOR UPDATE NOWAIT`, [id]);
      return true;
    } catch (error) {
      if (pgErrorCode(error) === PG_ERROR.lock_not_available) return false;
      throw error;
    }
  }

  it("locks only the erased citizen's walk-ins and notices (and those written before phones were hashed) while it runs", async () => {
    const ticket = async (phone: string): Promise<string> => {
      const taken = await takeTicket(app, channel, CENTRE, { service: SERVICE, phone });
      expect(taken.status).toBe(201);
      return taken.body.id as string;
    };
    const mine = await ticket(ERASED.phone);
    const legacy = await ticket(ERASED.phone);
    const other = await ticket(OTHER_PHONE);
    // As a ticket written before the keyed hash was kept: erasure still finds it, by opening it.
    await db.pool.query('UPDATE queue_tickets SET phone_hash = NULL WHERE id = $1', [legacy]);
    const outbox = app.app.get(NoticeOutbox);
    for (const [phone, key] of [[ERASED.phone, 'test:mine'], [OTHER_PHONE, 'test:other']]) {
      expect(await outbox.enqueue({ kind: 'agency-outage', text: 'Huduma: the agency is down.', phone, key })).toBe(true);
    }
    const noticeOf = async (key: string): Promise<string> =>
      (await db.pool.query<{ id: string }>('SELECT id::text FROM citizen_notices WHERE notice_key = $1', [key])).rows[0].id;
    const [myNotice, otherNotice] = [await noticeOf('test:mine'), await noticeOf('test:other')];
    const hashes = await db.pool.query<{ id: string; phone_hash: string | null }>('SELECT id::text, phone_hash FROM queue_tickets UNION ALL SELECT id::text, phone_hash FROM citizen_notices');
    const hashOf = new Map(hashes.rows.map((r) => [r.id, r.phone_hash]));
    expect([mine, other, myNotice, otherNotice].map((id) => hashOf.get(id))).toEqual([ERASED.phone, OTHER_PHONE, ERASED.phone, OTHER_PHONE].map((p) => app.runtime.vault.lookupHash(p)));

    // A live USSD conversation held by another session: the erasure takes its walk-in and notice locks, then waits here.
    const ussd = await fetch(`${app.url}/v1/channels/ussd?key=${USSD_SECRET}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ sessionId: randomUUID(), serviceCode: '*384*19#', phoneNumber: '+254733000003', text: '' }).toString(),
    });
    expect(ussd.status).toBe(200);
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    let erasing: ReturnType<typeof call> | undefined;
    try {
      await holder.query('BEGIN');
      expect((await holder.query('SELECT 1 FROM ussd_sessions FOR UPDATE')).rowCount).toBe(1);
      erasing = call(app, 'POST', '/v1/privacy/erasures', admin, { idNumber: ERASED.idNumber, phone: ERASED.phone, reason: 'ODPC request 2026/115' });
      await eventually(
        async () =>
          (
            await db.pool.query(
              `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'SELECT session_id, phone_hash, state_sealed FROM ussd_sessions%'`,
            )
          ).rowCount,
        (waiting) => waiting === 1,
      );

      // Mid-erasure: the citizen's rows are held; everyone else's can be taken, as call-next takes them.
      expect({ mine: await lockable('queue_tickets', mine), legacy: await lockable('queue_tickets', legacy), myNotice: await lockable('citizen_notices', myNotice) }).toEqual({
        mine: false,
        legacy: false,
        myNotice: false,
      });
      expect({ other: await lockable('queue_tickets', other), otherNotice: await lockable('citizen_notices', otherNotice) }).toEqual({ other: true, otherNotice: true });
      const callable = await db.pool.query<{ id: string }>(
        `SELECT id FROM queue_tickets WHERE centre_code = $1 AND state = 'waiting' ORDER BY arrived_at, number FOR UPDATE SKIP LOCKED`,
        [CENTRE],
      );
      expect(callable.rows.map((r) => r.id)).toEqual([other]);

      await holder.query('COMMIT');
      const done = await erasing;
      expect(done.status).toBe(200);
      expect(done.body).toEqual(expect.objectContaining({ tickets: 2, notices: 1 }));
    } finally {
      await holder.end();
      await erasing?.catch(() => undefined);
    }

    const left = await db.pool.query<{ id: string; sealed: boolean; phone_hash: string | null }>(
      'SELECT id::text, phone_sealed IS NOT NULL AS sealed, phone_hash FROM queue_tickets UNION ALL SELECT id::text, phone_sealed IS NOT NULL, phone_hash FROM citizen_notices',
    );
    const after = new Map(left.rows.map((r) => [r.id, { sealed: r.sealed, phoneHash: r.phone_hash }]));
    for (const gone of [mine, legacy, myNotice]) expect(after.get(gone)).toEqual({ sealed: false, phoneHash: null });
    for (const kept of [other, otherNotice]) expect(after.get(kept)).toEqual({ sealed: true, phoneHash: app.runtime.vault.lookupHash(OTHER_PHONE) });
  });
});
