import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { startTestApp, type TestApp } from '../factories/app';
import { newSealKey } from '../factories/audit-world';
import { json, nrbEnvelope, submit, type JsonBody } from './transactions.helpers';

/** Issue 9.2: the auditors' API, over HTTP, on the real gateway and database. */
describe('the auditors API', () => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let app: TestApp;
  let tokens: Record<'officer' | 'auditor' | 'admin' | 'operator' | 'nrb' | 'kra' | 'nrbAuditor', string>;
  const ids: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    app = await startTestApp({ databaseUrl: db.url, endpointOverrides: { nrb: agency.url }, env: { KIUNGO_SEAL_KEY: newSealKey() } });
    tokens = {
      officer: await app.token('officer', { centre: 'NRB-GPO', subject: 'officer-otieno' }),
      auditor: await app.token('auditor', { subject: 'auditor-wambui' }),
      admin: await app.token('admin', { subject: 'admin-kiprop' }),
      operator: await app.token('operator', { subject: 'operator-achieng' }),
      nrb: await app.token('agency', { agency: 'nrb' }),
      kra: await app.token('agency', { agency: 'kra' }),
      // A second role never widens what the agency role narrows.
      nrbAuditor: await app.token('agency', { agency: 'nrb', subject: 'nrb-and-auditor', roles: ['agency', 'auditor'] } as never),
    };
    for (const idNumber of ['12345678', '12345678', '23456789', '34567890']) {
      const response = await submit(app, tokens.officer, { ...nrbEnvelope({ idNumber }), citizen: { idNumber, phone: '+254712345678' } });
      expect(response.status).toBe(200);
      ids.push((await json(response)).id);
    }
  });

  afterAll(async () => {
    await app?.close();
    await agency?.close();
    await db?.close();
  });

  const get = async (token: string | undefined, path: string): Promise<{ status: number; body: JsonBody; text: string; type: string | null }> => {
    const response = await fetch(`${app.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const text = await response.text();
    const type = response.headers.get('content-type');
    return { status: response.status, text, type, body: type?.includes('json') && !type.includes('ndjson') ? JSON.parse(text) : undefined };
  };

  it('lists transactions by filter, newest first, in cursor pages; finds a citizen by ID number without ever echoing it', async () => {
    const all = await get(tokens.auditor, '/v1/audit/transactions?agency=nrb&channel=counter&centre=NRB-GPO&officer=officer-otieno&state=completed');
    expect(all.status).toBe(200);
    expect(all.body.items.map((t: { id: string }) => t.id)).toEqual([...ids].reverse());
    expect(all.body.items[0]).toEqual(expect.objectContaining({ service: 'id-card-replacement', agency: 'nrb', officer: 'officer-otieno', agencyReference: expect.stringMatching(/^NRB-/) }));

    const first = await get(tokens.auditor, '/v1/audit/transactions?limit=3');
    const second = await get(tokens.auditor, `/v1/audit/transactions?limit=3&cursor=${first.body.nextCursor}`);
    expect([...first.body.items, ...second.body.items].map((t: { id: string }) => t.id)).toEqual([...ids].reverse());
    expect(second.body.nextCursor).toBeNull();

    const citizen = await get(tokens.auditor, '/v1/audit/transactions?citizen=12345678');
    expect(citizen.body.items.map((t: { id: string }) => t.id).sort()).toEqual(ids.slice(0, 2).sort());
    expect(citizen.text).not.toContain('12345678');
    const bad = await get(tokens.auditor, '/v1/audit/transactions?citizen=1234567X');
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'query:citizen' })]);
    expect(bad.text).not.toContain('1234567X');

    const window = await get(tokens.auditor, `/v1/audit/transactions?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(window.body.items).toEqual([]);
  });

  it('keeps citizens out of the log: no event names an ID number or a phone number, so erasing them never touches a chain', async () => {
    const { rows } = await db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM audit_events WHERE concat_ws(' ', entity_id, type, actor, data::text) ~ '12345678|23456789|34567890|712345678'`,
    );
    expect(Number(rows[0].n)).toBe(0);
    expect(Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_events')).rows[0].n)).toBeGreaterThanOrEqual(ids.length * 2);
  });

  it('keeps an agency client to its own agency, whatever it asks and whatever else its token holds', async () => {
    expect((await get(tokens.nrb, '/v1/audit/transactions')).body.items).toHaveLength(ids.length);
    expect((await get(tokens.kra, '/v1/audit/transactions')).body.items).toEqual([]);
    expect((await get(tokens.kra, '/v1/audit/transactions?agency=nrb')).body.items).toEqual([]);
    expect((await get(tokens.kra, `/v1/transactions/${ids[0]}/events`)).status).toBe(404);
    expect((await get(tokens.nrbAuditor, `/v1/transactions/${ids[0]}/events`)).status).toBe(200);
    expect((await get(tokens.auditor, '/v1/transactions/00000000-0000-4000-8000-000000000000/events')).status).toBe(404);
    // The export streams: a caller the policy refuses gets a 403 before the first byte, another agency's client only the header row.
    const refused = await get(tokens.officer, '/v1/audit/export?of=transactions&format=csv');
    expect([refused.status, refused.type]).toEqual([403, expect.stringContaining('problem+json')]);
    const kraExport = await get(tokens.kra, '/v1/audit/export?of=transactions&format=csv&agency=nrb');
    expect([kraExport.status, kraExport.text.trim().split('\n')]).toEqual([200, ['id,service,agency,centre,channel,officer,submittedBy,channelClient,state,agencyReference,createdAt,updatedAt']]);
    expect((await get(tokens.kra, '/v1/audit/verify')).status).toBe(403);
    expect((await get(tokens.nrbAuditor, '/v1/audit/transactions?agency=kra')).body.items).toEqual([]);
    expect((await get(tokens.nrbAuditor, '/v1/audit/verify')).status).toBe(403);
    expect((await get(tokens.officer, '/v1/audit/transactions')).status).toBe(403);
    expect((await get(undefined, '/v1/audit/transactions')).status).toBe(401);
  });

  it("gives a transaction's whole trail with chain, position and the hashes that link it", async () => {
    const trail = await get(tokens.nrb, `/v1/transactions/${ids[0]}/events`);
    expect(trail.status).toBe(200);
    const events = trail.body.items;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['received', 'completed']);
    expect(events[0]).toEqual(expect.objectContaining({ entityType: 'transaction', entityId: ids[0], actor: 'officer-otieno', chain: expect.any(Number), position: expect.any(Number) }));
    expect(events[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(events.map((e: { chain: number }) => e.chain)).size).toBe(1);
  });

  it('lists administrative actions, exports them and the transactions as CSV and JSON Lines', async () => {
    const put = await fetch(`${app.url}/v1/agencies/nrb/mode`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${tokens.operator}`, 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'manual', reason: 'NRB down for the audit test' }),
    });
    expect(put.status).toBe(200);
    const admin = await get(tokens.auditor, '/v1/audit/events');
    expect(admin.body.items[0]).toEqual(expect.objectContaining({ entityType: 'agency', entityId: 'nrb', actor: 'operator-achieng' }));
    expect(admin.body.items.every((e: { entityType: string }) => e.entityType !== 'transaction')).toBe(true);
    const typed = await get(tokens.auditor, '/v1/audit/events?entityType=transaction&type=completed&limit=2');
    expect(typed.body.items).toHaveLength(2);
    expect(typed.body.nextCursor).toEqual(expect.any(String));
    expect((await get(tokens.kra, '/v1/audit/events?entityType=agency')).body.items).toEqual([]);

    const csv = await get(tokens.auditor, '/v1/audit/export?of=transactions&format=csv&agency=nrb');
    expect(csv.status).toBe(200);
    expect(csv.type).toContain('text/csv');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('id,service,agency,centre,channel,officer,submittedBy,channelClient,state,agencyReference,createdAt,updatedAt');
    expect(lines.slice(1).map((line) => line.split(',')[0]).sort()).toEqual([...ids].sort());
    const jsonl = await get(tokens.auditor, '/v1/audit/export?of=events&format=jsonl&entityType=transaction');
    expect(jsonl.type).toContain('application/x-ndjson');
    expect(jsonl.text.trim().split('\n').map((line) => JSON.parse(line).entityId)).toHaveLength(ids.length * 2);
    expect((await get(tokens.auditor, '/v1/audit/export?of=events&agency=nrb')).status).toBe(422);
  });

  it('seals on an admin\'s demand (audited, written outside the database), publishes the key, and verifies', async () => {
    expect((await get(undefined, '/v1/audit/keys')).body.keys).toEqual([expect.objectContaining({ algorithm: 'Ed25519', active: true })]);
    const forbidden = await fetch(`${app.url}/v1/audit/seals`, { method: 'POST', headers: { authorization: `Bearer ${tokens.auditor}` } });
    expect(forbidden.status).toBe(403);
    const sealed = await fetch(`${app.url}/v1/audit/seals`, { method: 'POST', headers: { authorization: `Bearer ${tokens.admin}` } });
    expect(sealed.status).toBe(201);
    const seal = await json(sealed);
    expect(seal.statement).toEqual(expect.objectContaining({ type: 'kiungo.audit.seal.v1', sealNo: 1, previous: null }));
    expect(seal.keyId).toBe((await get(undefined, '/v1/audit/keys')).body.keys[0].keyId);
    expect((await get(tokens.auditor, '/v1/audit/seals')).body.items).toEqual([seal]);
    const events = await get(tokens.auditor, '/v1/audit/events?entityType=audit-seal');
    expect(events.body.items).toEqual([expect.objectContaining({ type: 'sealed', actor: 'admin-kiprop', data: expect.objectContaining({ sealNo: 1 }) })]);
    const folder = app.runtime.config.audit.sealDir;
    expect(readdirSync(folder).filter((name) => name.startsWith('seal-'))).toHaveLength(1);
    expect(readdirSync(join(folder, 'keys'))).toEqual([`${seal.keyId}.pem`]);

    const clean = await get(tokens.auditor, '/v1/audit/verify');
    expect(clean.body).toEqual(expect.objectContaining({ ok: true, findings: [], findingsTotal: 0, seals: { checked: 1, last: expect.objectContaining({ sealNo: 1 }) } }));
    await db.pool.query(`UPDATE transactions SET state = 'rejected' WHERE id = $1`, [ids[1]]);
    const broken = await get(tokens.admin, '/v1/audit/verify');
    expect(broken.body.ok).toBe(false);
    expect(broken.body.findings).toEqual([
      expect.objectContaining({ reason: 'state_mismatch', entityType: 'transaction', entityId: ids[1], chain: expect.any(Number), position: expect.any(Number) }),
    ]);
    await db.pool.query(`UPDATE transactions SET state = 'completed' WHERE id = $1`, [ids[1]]);
  });
});
