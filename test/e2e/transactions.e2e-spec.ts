import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { eventually, startTestApp, type TestApp } from '../factories/app';
import { countRows, getTransaction, json, nrbEnvelope, submit } from './transactions.helpers';
import { expectTimeOrderedUuidAt } from '../factories/uuid';

/**
 * The spine end to end: the real gateway (api + worker, in-process queue) on a real database,
 * the NRB agency answered by the REST simulator over real HTTP.
 */
describe('POST /v1/transactions against a REST agency', () => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let app: TestApp;
  let officer: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    app = await startTestApp({ databaseUrl: db.url, endpointOverrides: { nrb: agency.url } });
    officer = await app.token('officer', { centre: 'NRB-GPO' });
  });

  afterAll(async () => {
    await app?.close();
    await agency?.close();
    await db?.close();
  });

  beforeEach(() => {
    // Numbering carries on: an agency that reissued NRB-000001 would (rightly) be flagged a duplicate.
    agency.reset({ keepNumbering: true });
    agency.setMode('healthy');
  });

  it('completes at once with the agency reference when the agency is healthy', async () => {
    const response = await submit(app, officer, nrbEnvelope());
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body.state).toBe('completed');
    // The id is a UUIDv7 whose time is the record's creation time (core/shared/uuid.ts).
    expectTimeOrderedUuidAt(body.id, new Date(body.createdAt));
    expect(body.agencyReference).toMatch(/^NRB-\d{6}$/);
    expect(response.headers.get('location')).toBe(`/v1/transactions/${body.id}`);

    const stored = await getTransaction(app, officer, body.id);
    expect(stored.history.map((e: { type: string }) => e.type)).toEqual(['received', 'completed']);
    expect(stored.history[1].data).toEqual({ attempt: 1, sentAt: expect.any(String), inline: true, agencyRef: body.agencyReference });
    expect(stored.citizen.idNumber).toBe('****5678');
    expect(agency.stats().byKey[body.id]).toBe(1);
  });

  it('answers 202 retrying on a 5xx and completes by itself, the agency creating one application', async () => {
    agency.failNext(2);
    const response = await submit(app, officer, nrbEnvelope());
    expect(response.status).toBe(202);
    const accepted = await json(response);
    expect(accepted.state).toBe('retrying');
    expect(accepted.statusUrl).toBe(`/v1/transactions/${accepted.id}`);

    const done = await eventually(() => getTransaction(app, officer, accepted.id), (t) => t.state === 'completed');
    expect(done.agencyReference).toMatch(/^NRB-/);
    // Two 503s, then success (one more refusal is possible if the breaker opened on the way).
    expect(done.attempts).toBeGreaterThanOrEqual(3);
    expect(agency.stats().byKey[accepted.id]).toBe(1);
    expect(agency.stats().accepted).toBe(1);
    const types = done.history.map((e: { type: string }) => e.type);
    expect(types.slice(0, 3)).toEqual(['received', 'retrying', 'retrying']);
    expect(types.at(-1)).toBe('completed');
    expect(types).not.toContain('dispatched');
    // Each call is its outcome's event, saying when it was sent: the inline one, then the worker's.
    expect(done.history.slice(1, 3).map((e: { data: { inline: boolean; sentAt: string } }) => [e.data.inline, typeof e.data.sentAt])).toEqual([
      [true, 'string'],
      [false, 'string'],
    ]);
  });

  it('answers 202 when the agency times out, and the late answer never becomes a second application', async () => {
    agency.setMode('slow', { delayMs: 1500 });
    const response = await submit(app, officer, nrbEnvelope());
    expect(response.status).toBe(202);
    const accepted = await json(response);
    expect(accepted.lastError.code).toBe('timeout');
    agency.setMode('healthy');

    const done = await eventually(() => getTransaction(app, officer, accepted.id), (t) => t.state === 'completed');
    // However many times the request reached the agency (the timed-out call may still have landed),
    // it created one application under our id; a repeat was answered with the same reference.
    expect(agency.stats().accepted).toBe(1);
    expect(agency.stats().order).toEqual([accepted.id]);
    expect(done.agencyReference).toMatch(/^NRB-/);
  });

  it('keeps a business rejection as `rejected` without retrying', async () => {
    const response = await submit(app, officer, nrbEnvelope({ idNumber: '00000000' }));
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body.state).toBe('rejected');
    expect(body.lastError.code).toBe('ID_NOT_FOUND');
    expect(body.attempts).toBe(1);
    expect(agency.stats().calls).toBe(1);
  });

  it('returns the first response for a repeated Idempotency-Key, and 422 for the key with another body', async () => {
    const before = await countRows(db, 'transactions');
    const envelope = nrbEnvelope();
    const first = await submit(app, officer, envelope, 'same-key-1');
    const firstBody = await json(first);
    const again = await submit(app, officer, envelope, 'same-key-1');
    expect(again.status).toBe(first.status);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await json(again)).toEqual(firstBody);
    expect(await countRows(db, 'transactions')).toBe(before + 1);

    const other = await submit(app, officer, nrbEnvelope({ fullName: 'Somebody Else' }), 'same-key-1');
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = await json(other);
    expect(problem.type).toMatch(/idempotency-key-reused$/);
    expect(await countRows(db, 'transactions')).toBe(before + 1);
    expect(agency.stats().accepted).toBe(1);
  });

  it('creates one transaction when the same key arrives twice at once', async () => {
    const before = await countRows(db, 'transactions');
    const envelope = nrbEnvelope();
    const [a, b] = await Promise.all([submit(app, officer, envelope, 'race-key'), submit(app, officer, envelope, 'race-key')]);
    const [bodyA, bodyB] = await Promise.all([json(a), json(b)]);
    // One ran; the other waited for its answer and got it verbatim.
    expect(bodyB).toEqual(bodyA);
    expect(b.status).toBe(a.status);
    expect([a, b].map((r) => r.headers.get('idempotent-replayed')).sort()).toEqual(['true', null].sort());
    expect(await countRows(db, 'transactions')).toBe(before + 1);
    expect(agency.stats().accepted).toBe(1);
  });

  it('stores the answer it sends, written with the outcome: same status and body, updatedAt as on the row', async () => {
    const completed = await submit(app, officer, nrbEnvelope(), 'stored-answer-200');
    agency.setMode('down');
    const retrying = await submit(app, officer, nrbEnvelope(), 'stored-answer-202');

    const storedAnswer = async (key: string) =>
      (await db.pool.query<{ status: number; body: { id: string; updatedAt: string } }>('SELECT status, body FROM idempotency_keys WHERE key = $1', [key])).rows;
    const completedBody = await json(completed);
    expect(await storedAnswer('stored-answer-200')).toEqual([{ status: 200, body: completedBody }]);
    const retryingBody = await json(retrying);
    expect(await storedAnswer('stored-answer-202')).toEqual([{ status: 202, body: retryingBody }]);
    // Completed is final: the row still stands as the answer shows it.
    const row = await db.pool.query<{ updated_at: Date }>('SELECT updated_at FROM transactions WHERE id = $1', [completedBody.id]);
    expect(row.rows[0].updated_at.toISOString()).toBe(completedBody.updatedAt);
    // Finished here: left retrying, its next attempt reached the agency during the tests below, which count calls.
    agency.setMode('healthy');
    await eventually(() => getTransaction(app, officer, retryingBody.id), (t) => t.state === 'completed');
  });

  it('rejects an invalid payload with 422 naming each failing field, and stores nothing', async () => {
    const [transactions, events] = [await countRows(db, 'transactions'), await countRows(db, 'audit_events')];
    const envelope = nrbEnvelope();
    (envelope.payload as Record<string, unknown>).dateOfBirth = 'yesterday';
    delete (envelope.payload as Record<string, unknown>).policeAbstractNumber;
    const response = await submit(app, officer, envelope);
    expect(response.status).toBe(422);
    const problem = await json(response);
    const fields = problem.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['/payload/dateOfBirth', '/payload/policeAbstractNumber']));
    expect(JSON.stringify(problem)).not.toContain('12345678');
    expect(await countRows(db, 'transactions')).toBe(transactions);
    expect(await countRows(db, 'audit_events')).toBe(events);
    expect(agency.stats().calls).toBe(0);
  });

  it('says 401 without a valid token and 403 for the wrong role or centre', async () => {
    expect((await submit(app, undefined, nrbEnvelope())).status).toBe(401);
    expect((await submit(app, 'not-a-token', nrbEnvelope())).status).toBe(401);
    const expired = await app.token('officer', { centre: 'NRB-GPO', expiresIn: -60 });
    const expiredResponse = await submit(app, expired, nrbEnvelope());
    expect(expiredResponse.status).toBe(401);
    expect(expiredResponse.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const auditor = await app.token('auditor');
    expect((await submit(app, auditor, nrbEnvelope())).status).toBe(403);
    const otherCentre = await app.token('officer', { centre: 'MSA-CITY' });
    const response = await submit(app, otherCentre, nrbEnvelope());
    expect(response.status).toBe(403);
    expect((await json(response)).type).toMatch(/wrong-centre$/);
    expect(agency.stats().calls).toBe(0);
  });

  it('the audit chain verifies, and altering a stored event breaks it at that event', async () => {
    const created = await json(await submit(app, officer, nrbEnvelope()));
    const clean = await app.runtime.audit.verify(db.pool);
    expect(clean.ok).toBe(true);
    expect(clean.eventsChecked).toBeGreaterThan(0);

    const { rows } = await db.pool.query<{ shard: number; seq: string }>(
      `SELECT shard, seq FROM audit_events WHERE entity_id = $1 AND type = 'completed'`,
      [created.id],
    );
    // A DBA with table rights, not the application: the append-only trigger has to be switched off first.
    await db.pool.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    await db.pool.query(`UPDATE audit_events SET data = jsonb_set(data, '{agencyRef}', '"NRB-FORGED"') WHERE shard = $1 AND seq = $2`, [
      rows[0].shard,
      rows[0].seq,
    ]);
    await db.pool.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    const broken = await app.runtime.audit.verify(db.pool);
    expect(broken.ok).toBe(false);
    expect(broken.breaks).toEqual([{ shard: rows[0].shard, seq: Number(rows[0].seq), reason: 'hash_mismatch', entityType: 'transaction', entityId: created.id }]);
    // Put it back so later tests start from a clean chain.
    await db.pool.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    await db.pool.query(`UPDATE audit_events SET data = jsonb_set(data, '{agencyRef}', to_jsonb($3::text)) WHERE shard = $1 AND seq = $2`, [
      rows[0].shard,
      rows[0].seq,
      created.agencyReference,
    ]);
    await db.pool.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    expect((await app.runtime.audit.verify(db.pool)).ok).toBe(true);
  });

  it('refuses to change or delete an audit event through the application role', async () => {
    await expect(db.pool.query(`UPDATE audit_events SET actor = 'x'`)).rejects.toThrow(/append-only/);
    await expect(db.pool.query(`DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
  });
});
