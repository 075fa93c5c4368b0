import type { Pool } from 'pg';
import { RetentionService } from '../../gateway/src/privacy/retention.service';
import type { PersonalDataVault } from '../../core/shared/personal-data';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { startTestApp, type TestApp } from '../factories/app';
import { newSealKey } from '../factories/audit-world';
import { OPEN_HOUR, SettableClock } from '../factories/clock';
import { bookingBody, call, centreBody, citizen, day, slotAt, SERVICE } from './bookings.helpers';
import { json, nrbEnvelope, submit } from './transactions.helpers';

const CENTRE = 'TST-ERASE';
const DAY_MS = 86_400_000;
const ERASED_CITIZEN = citizen(1);
const KEPT_CITIZEN = citizen(2);

/** Every sealed value in the tables that hold personal data, opened with the app's key, as text. */
async function everythingSealed(pool: Pool, vault: PersonalDataVault): Promise<string> {
  const { rows } = await pool.query<{ sealed: Buffer }>(
    `SELECT citizen_sealed AS sealed FROM transactions UNION ALL SELECT payload_sealed FROM transactions
     UNION ALL SELECT citizen_sealed FROM bookings UNION ALL SELECT to_sealed FROM notifications
     UNION ALL SELECT phone_sealed FROM citizen_notices WHERE phone_sealed IS NOT NULL`,
  );
  return rows.map((r) => JSON.stringify(vault.open(r.sealed))).join('\n');
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

  const erase = (token: string, body: unknown) => call(app, 'POST', '/v1/privacy/erasures', token, body);
  const verify = async (): Promise<{ ok: boolean; findings: unknown[] }> => (await call(app, 'GET', '/v1/audit/verify', auditor)).body;
  const hashOf = async (idNumber: string): Promise<number> =>
    Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM transactions WHERE citizen_id_hash = $1', [app.runtime.vault.lookupHash(idNumber)])).rows[0].n);

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    app = await startTestApp({ databaseUrl: db.url, endpointOverrides: { nrb: agency.url }, clock, env: { KIUNGO_SEAL_KEY: newSealKey(), KIUNGO_RETENTION_DAYS: '30' } });
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
    const booked = await call(app, 'POST', '/v1/bookings', channel, bookingBody(CENTRE, slotAt(day(2, clock.now()), '10:00'), 1));
    expect(booked.status).toBe(201);
    erasedBooking = booked.body.reference;
    expect((await call(app, 'POST', '/v1/bookings', channel, bookingBody(CENTRE, slotAt(day(3, clock.now()), '10:00'), 2))).status).toBe(201);
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
    expect((await erase(operator, { idNumber: ERASED_CITIZEN.idNumber, reason: 'ODPC request 2026/114' })).status).toBe(403);
    expect(await everythingSealed(db.pool, app.runtime.vault)).toBe(before);
  });

  it('will not erase a citizen with a booking still to come, and says why', async () => {
    const refused = await erase(admin, { idNumber: ERASED_CITIZEN.idNumber, reason: 'ODPC request 2026/114' });
    expect(refused.status).toBe(409);
    expect(refused.body.type).toMatch(/citizen-has-open-business$/);
    expect(await hashOf(ERASED_CITIZEN.idNumber)).toBe(2);
  });

  // The SMS log holds both booked citizens' phones: the booking confirmation and the cancellation.
  it('erases one citizen: nothing of theirs can be read back, the other citizen is intact, and the chain verifies', async () => {
    expect((await call(app, 'POST', `/v1/bookings/${erasedBooking}/cancel`, channel)).status).toBe(200);
    const done = await erase(admin, { idNumber: ERASED_CITIZEN.idNumber, reason: 'ODPC request 2026/114' });
    expect(done.status).toBe(200);
    expect(done.body).toEqual(expect.objectContaining({ transactions: 2, bookings: 1, notifications: 2, erasedAt: clock.now().toISOString() }));
    expect(JSON.stringify(done.body)).not.toContain(ERASED_CITIZEN.idNumber);

    const sealed = await everythingSealed(db.pool, app.runtime.vault);
    expect(sealed).not.toContain(ERASED_CITIZEN.idNumber);
    expect(sealed).not.toContain(ERASED_CITIZEN.phone);
    expect(sealed).toContain(KEPT_CITIZEN.idNumber);
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
    expect(event.rows).toEqual([{ actor: 'admin-kiprop', data: expect.objectContaining({ reason: 'ODPC request 2026/114', transactions: 2, bookings: 1 }) }]);
    expect(await verify()).toEqual(expect.objectContaining({ ok: true, findings: [] }));
  });

  it('erases what is past retention on the worker, and the chain still verifies', async () => {
    // Past retention for rows written now: the database stamps updated_at with its own time.
    clock.set(new Date(Date.now() + 40 * DAY_MS));
    await app.app.get(RetentionService).runOnce();
    const sealed = await everythingSealed(db.pool, app.runtime.vault);
    expect(sealed).not.toContain(KEPT_CITIZEN.idNumber);
    expect(sealed).not.toContain(KEPT_CITIZEN.phone);
    const left = await db.pool.query<{ n: string }>(
      'SELECT (SELECT count(*) FROM transactions WHERE personal_data_erased_at IS NULL) + (SELECT count(*) FROM bookings WHERE personal_data_erased_at IS NULL) AS n',
    );
    expect(Number(left.rows[0].n)).toBe(0);
    const purged = await db.pool.query<{ actor: string; data: Record<string, number> }>("SELECT actor, data FROM audit_events WHERE type = 'personal_data_purged'");
    expect(purged.rows).toEqual([{ actor: 'system:retention', data: expect.objectContaining({ transactions: 1, bookings: 1, notifications: 1 }) }]);
    expect(await verify()).toEqual(expect.objectContaining({ ok: true, findings: [] }));
  });
});
