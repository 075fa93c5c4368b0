import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { startSmsProvider, type SmsProviderSimulator } from '../simulators/sms-provider/africastalking.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';
import { eventually, startTestApp, type TestApp } from '../factories/app';
import { json, nrbEnvelope, submit } from './transactions.helpers';
import { setMode } from './manual-fallback.helpers';

/**
 * Issue 10, "completion notices are never sent": the printed acknowledgment promises an SMS with
 * the final reference. A stored transaction completed on replay leaves a notice in the outbox; the
 * worker sends it through the configured SMS driver (here Africa's Talking, a real local HTTP
 * server), tries again after a provider failure, and sends each notice once.
 */
describeWithPostgres("citizen notices sent through Africa's Talking", () => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let sms: SmsProviderSimulator;
  let app: TestApp;
  let dataDir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    sms = await startSmsProvider();
    dataDir = mkdtempSync(path.join(tmpdir(), 'kiungo-notices-'));
    app = await startTestApp({
      databaseUrl: db.url,
      endpointOverrides: { nrb: agency.url },
      dataDir,
      dataKey: randomBytes(32).toString('base64'),
      env: { KIUNGO_SMS_DRIVER: 'africastalking', AT_USERNAME: 'huduma', AT_API_KEY: 'at-test-key', AT_SENDER_ID: 'HUDUMA', AT_SMS_URL: sms.url },
    });
  });

  afterAll(async () => {
    await app?.close();
    await sms?.close();
    await agency?.close();
    await db?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends the final reference to the citizen once, retrying after the provider failed', async () => {
    const operator = await app.token('operator');
    const officer = await app.token('officer', { centre: 'NRB-GPO' });
    expect((await setMode(app, operator, { mode: 'manual', reason: 'NRB down' })).status).toBe(200);
    const withPhone = await json(await submit(app, officer, { ...nrbEnvelope({ idNumber: '31000001' }), citizen: { idNumber: '31000001', phone: '+254711000001' } }));
    const withoutPhone = await json(await submit(app, officer, { ...nrbEnvelope({ idNumber: '31000002' }), citizen: { idNumber: '31000002' } }));
    expect(withPhone.provisionalReference).toBeDefined();
    expect(sms.received).toHaveLength(0);

    sms.failNext(1);
    expect((await setMode(app, operator, { mode: 'auto', reason: 'NRB back' })).status).toBe(200);
    const sent = await eventually(
      async () => (await db.pool.query<{ status: string; attempts: number; provider_ref: string | null }>(`SELECT status, attempts, provider_ref FROM citizen_notices WHERE transaction_id = $1`, [withPhone.id])).rows,
      (rows) => rows[0]?.status === 'sent',
      30_000,
      200,
    );
    expect(sent[0].attempts).toBe(2);
    expect(sent[0].provider_ref).toMatch(/^ATXid_/);

    const { rows: completed } = await db.pool.query<{ agency_ref: string }>(`SELECT agency_ref FROM transactions WHERE id = $1`, [withPhone.id]);
    // Two posts for the one notice (the first answered 500); none for the citizen without a phone.
    expect(sms.received).toHaveLength(2);
    for (const { headers, form } of sms.received) {
      expect(headers.apikey).toBe('at-test-key');
      expect(Object.fromEntries(form)).toEqual({ username: 'huduma', to: '+254711000001', from: 'HUDUMA', message: expect.stringContaining(completed[0].agency_ref) });
      expect(form.get('message')).toContain(withPhone.provisionalReference);
    }
    const { rows: silent } = await db.pool.query<{ status: string }>(`SELECT status FROM citizen_notices WHERE transaction_id = $1`, [withoutPhone.id]);
    expect(silent).toEqual([{ status: 'no-phone' }]);
    // Every SMS is in the log with its outcome; the phone only sealed.
    const { rows: log } = await db.pool.query<{ status: string; driver: string; body: string }>(
      `SELECT status, driver, body FROM notifications WHERE template = 'transaction-completed' ORDER BY id`,
    );
    expect(log.map((row) => [row.driver, row.status])).toEqual([
      ['africastalking', 'failed'],
      ['africastalking', 'sent'],
    ]);
    expect(JSON.stringify(log)).not.toContain('711000001');
  });
});
