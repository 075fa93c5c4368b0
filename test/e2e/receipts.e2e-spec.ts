import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';
import { eventually, type TestApp } from '../factories/app';
import { inNairobi, RunningClock } from '../factories/clock';
import { call, centreBody } from './bookings.helpers';
import { getTransaction, json, nrbEnvelope, submit, type JsonBody } from './transactions.helpers';
import { deployment, setMode, type Deployment } from './manual-fallback.helpers';

/**
 * Issue 14.3: a receipt that cannot be forged. The acknowledgment of an application stored while
 * the agency is down carries a QR code with a signed statement; GET /v1/receipts/verify (public)
 * says it is genuine and what became of the application, on another replica too; one changed
 * character and it is not; the published key alone checks it offline.
 */
describeWithPostgres('receipts', () => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let deploy: Deployment;
  let a: TestApp;
  let b: TestApp;
  let officer: string;
  let receipt: string;
  let stored: JsonBody;
  const clock = new RunningClock(inNairobi('2026-03-03', '10:00'));

  const check = async (app: TestApp, text: string): Promise<{ status: number; body: JsonBody }> => {
    const response = await fetch(`${app.url}/v1/receipts/verify?receipt=${encodeURIComponent(text)}`);
    return { status: response.status, body: await json(response) };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    deploy = deployment(db);
    const env = { KIUNGO_USSD_CODE: '*384*19#', KIUNGO_SMS_NUMBER: '22141' };
    // Production mode: the replicas share one receipt key from the environment.
    const key = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const start = () => deploy.start(agency.url, { clock, env: { ...env, KIUNGO_RECEIPT_KEY: key } });
    a = await start();
    b = await start();
    officer = await a.token('officer', { centre: 'NRB-GPO', subject: 'officer-otieno' });
    const admin = await a.token('admin');
    const centre = { ...centreBody('2026-12-25', [{ service: 'id-card-replacement', ticketLetter: 'A', slotCapacity: 2 }]), name: 'GPO Nairobi' };
    expect((await call(a, 'PUT', '/v1/centres/NRB-GPO', admin, centre)).status).toBe(201);
    expect((await setMode(a, await a.token('operator'), { mode: 'manual', reason: 'NRB platform down' })).status).toBe(200);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await agency?.close();
    await db?.close();
    if (deploy) rmSync(deploy.dataDir, { recursive: true, force: true });
  });

  it('prints the reference, the centre, how to follow it, and the signed receipt under its QR code', async () => {
    await eventually(() => submit(b, officer, { ...nrbEnvelope({ idNumber: '23456789' }), citizen: { idNumber: '23456789', phone: '+254712345678' } }).then(json), (body) => body.state === 'manual', 3000, 100).then((body) => (stored = body));
    const response = await fetch(`${a.url}/v1/transactions/${stored.id}/acknowledgment`, { headers: { authorization: `Bearer ${officer}` } });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain(`<p class="ref" id="reference">${stored.provisionalReference}</p>`);
    expect(page).toContain('Huduma Centre GPO Nairobi');
    expect(page).toContain(`dial *384*19# and choose &quot;Where is my application?&quot;, or SMS STATUS ${stored.provisionalReference} to 22141`);
    expect(page).toContain('<svg');
    expect(page).not.toContain('23456789');
    receipt = /<p class="code" id="receipt-code">([^<]+)<\/p>/.exec(page)?.[1] ?? '';
    expect(receipt).toMatch(/^KR1\./);

    const pdf = Buffer.from(await (await fetch(`${b.url}/v1/transactions/${stored.id}/acknowledgment?format=pdf`, { headers: { authorization: `Bearer ${officer}` } })).arrayBuffer()).toString('latin1');
    expect(pdf).toContain(`BT /F1 40 Tf 56 730 Td (${stored.provisionalReference}) Tj ET`);
    expect(pdf).toMatch(/ re\n/);
    expect(pdf.replace(/\) Tj ET\nBT \/F1 8 Tf 56 [\d.]+ Td \(/g, '')).toContain(receipt);
  });

  it('says a receipt is genuine, on any replica and without a token, and what became of the application', async () => {
    for (const app of [a, b]) {
      const { status, body } = await check(app, receipt);
      expect(status).toBe(200);
      expect(body).toEqual({
        genuine: true,
        keyId: expect.stringMatching(/^ed25519-[0-9a-f]{16}$/),
        receipt: {
          transactionId: stored.id,
          provisionalReference: stored.provisionalReference,
          service: 'id-card-replacement',
          centre: 'NRB-GPO',
          receivedAt: expect.any(String),
          idNumberMasked: '****6789',
        },
        application: { status: 'waiting-for-agency', agencyReference: null, reason: null, collectionDate: null, updatedAt: expect.any(String) },
      });
    }
    expect((await check(a, `${a.url}/verify?r=${receipt}`)).body.genuine).toBe(true);
  });

  it('refuses the receipt with one character changed, and says nothing about any application', async () => {
    const at = receipt.length - 30;
    const changed = receipt.slice(0, at) + (receipt[at] === 'A' ? 'B' : 'A') + receipt.slice(at + 1);
    expect(await check(a, changed)).toEqual({ status: 200, body: { genuine: false, reason: 'bad-signature' } });
    const parts = receipt.split('.');
    parts[2] = `${parts[2][0] === 'e' ? 'f' : 'e'}${parts[2].slice(1)}`; // the statement's first character
    expect((await check(a, parts.join('.'))).body).toEqual({ genuine: false, reason: 'malformed' });
    parts[2] = receipt.split('.')[2];
    parts[1] = `${parts[1][0] === 'a' ? 'b' : 'a'}${parts[1].slice(1)}`; // the key's
    expect((await check(a, parts.join('.'))).body).toEqual({ genuine: false, reason: 'unknown-key' });
    expect((await check(a, 'hello')).body).toEqual({ genuine: false, reason: 'malformed' });
    const missing = await fetch(`${a.url}/v1/receipts/verify`);
    expect(missing.status).toBe(422);
  });

  it('publishes the receipt key, which alone checks the receipt offline', async () => {
    const keys = await json(await fetch(`${b.url}/v1/receipts/keys`));
    const [, hex, statement, signature] = receipt.split('.');
    const key = keys.keys.find((k: JsonBody) => k.keyId === `ed25519-${hex}`);
    expect(key).toMatchObject({ active: true, algorithm: 'Ed25519' });
    expect(verify(null, Buffer.from(statement, 'base64url'), createPublicKey(key.publicKeyPem), Buffer.from(signature, 'base64url'))).toBe(true);
    expect(readdirSync(path.join(deploy.dataDir, 'receipt-keys'))).toEqual([`${key.keyId}.pem`]);
  });

  it('shows the agency reference once the replay has completed the application', async () => {
    expect((await setMode(a, await a.token('operator'), { mode: 'auto', reason: 'NRB back' })).status).toBe(200);
    const done = await eventually(() => getTransaction(a, officer, stored.id), (tx) => tx.state === 'completed', 15_000, 200);
    const { body } = await check(b, receipt);
    expect(body.application).toMatchObject({ status: expect.stringMatching(/^(completed|ready-for-collection)$/), agencyReference: done.agencyReference, reason: null });
  });
});
