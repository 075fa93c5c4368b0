import { startSoapAgency, type SoapAgencySimulator } from '../simulators/soap-agency/soap-agency.simulator';
import { KRA_WSDL, kraTestCatalogue, kraTransaction, type KraTestCatalogue } from '../simulators/soap-agency/kra-test-catalogue';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { eventually, startTestApp, type TestApp } from '../factories/app';
import { getTransaction, json, submit, type JsonBody } from './transactions.helpers';

/**
 * A SOAP agency end to end: the real gateway on a real database, the demo KRA agency file (WSDL,
 * schemas, mapping) with WS-Security, answered by the SOAP simulator (`soap.listen`) over HTTP.
 * Credentials reach the adapter only through the environment variables the agency file names.
 */
const USER_ENV = 'KIUNGO_E2E_KRA_SOAP_USER';
const PASSWORD_ENV = 'KIUNGO_E2E_KRA_SOAP_PASSWORD';

async function agencies(app: TestApp, operator: string): Promise<JsonBody> {
  return fetch(`${app.url}/v1/agencies`, { headers: { authorization: `Bearer ${operator}` } }).then(json);
}

describe('POST /v1/transactions against a SOAP agency (KRA PIN registration)', () => {
  let catalogue: KraTestCatalogue;
  let db: TestDatabase;
  let agency: SoapAgencySimulator;
  let app: TestApp;
  let officer: string;

  beforeAll(async () => {
    process.env[USER_ENV] = 'kiungo-huduma';
    process.env[PASSWORD_ENV] = 'pin-s3cret';
    catalogue = kraTestCatalogue({ usernameEnv: USER_ENV, passwordEnv: PASSWORD_ENV, passwordType: 'digest' });
    db = await createTestDatabase();
    agency = await startSoapAgency({ referencePrefix: 'KRA', wsdl: KRA_WSDL, path: '/soap/kra', username: 'kiungo-huduma', password: 'pin-s3cret' });
    app = await startTestApp({ databaseUrl: db.url, catalogueDir: catalogue.dir, endpointOverrides: { kra: agency.url } });
    officer = await app.token('officer', { centre: 'NRB-GPO' });
  });

  afterAll(async () => {
    await app?.close();
    await agency?.close();
    await db?.close();
    catalogue?.remove();
    delete process.env[USER_ENV];
    delete process.env[PASSWORD_ENV];
  });

  // Numbering carries on: an agency that reissued KRA-000001 would (rightly) be flagged a duplicate.
  beforeEach(() => agency.reset({ keepNumbering: true }));

  it('completes at once with the agency reference, the agency seeing the transaction once', async () => {
    const response = await submit(app, officer, kraTransaction());
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body.state).toBe('completed');
    expect(body.agencyReference).toBe('KRA-000001');

    expect(agency.stats()).toMatchObject({ accepted: 1, duplicates: 0, byKey: { [body.id]: 1 } });
  });

  it('keeps a business fault as `rejected` with the clean reason, without retrying', async () => {
    agency.setMode('reject');
    const response = await submit(app, officer, kraTransaction());
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body.state).toBe('rejected');
    expect(body.lastError).toEqual({ code: 'APPLICATION_REJECTED', reason: 'The agency rejected this application' });
    expect(JSON.stringify(body)).not.toMatch(/soap:|Fault|Envelope/);
    expect(body.attempts).toBe(1);
    expect(agency.stats().calls).toBe(1);
  });

  it('answers 202 retrying on a soap:Server fault and a 503, then completes by itself with one application', async () => {
    agency.failNext(1);
    const response = await submit(app, officer, kraTransaction());
    expect(response.status).toBe(202);
    const accepted = await json(response);
    expect(accepted.state).toBe('retrying');
    expect(accepted.lastError.code).toBe('unavailable');
    agency.setMode('down');
    await eventually(() => Promise.resolve(agency.stats().calls), (calls) => calls >= 2, 5000, 20);
    agency.setMode('healthy');

    const done = await eventually(() => getTransaction(app, officer, accepted.id), (t) => t.state === 'completed');
    expect(done.agencyReference).toMatch(/^KRA-\d{6}$/);
    expect(done.attempts).toBeGreaterThanOrEqual(3);
    expect(agency.stats().byKey[accepted.id]).toBe(1);
  });
});

describe('a SOAP agency with wrong WS-Security credentials', () => {
  let catalogue: KraTestCatalogue;
  let db: TestDatabase;
  let agency: SoapAgencySimulator;
  let app: TestApp;

  beforeAll(async () => {
    process.env[USER_ENV] = 'kiungo-huduma';
    process.env[PASSWORD_ENV] = 'an-old-password';
    catalogue = kraTestCatalogue({ usernameEnv: USER_ENV, passwordEnv: PASSWORD_ENV, passwordType: 'text' });
    db = await createTestDatabase();
    agency = await startSoapAgency({ referencePrefix: 'KRA', wsdl: KRA_WSDL, path: '/soap/kra', username: 'kiungo-huduma', password: 'pin-s3cret' });
    app = await startTestApp({ databaseUrl: db.url, catalogueDir: catalogue.dir, endpointOverrides: { kra: agency.url } });
  });

  afterAll(async () => {
    await app?.close();
    await agency?.close();
    await db?.close();
    catalogue?.remove();
    delete process.env[USER_ENV];
    delete process.env[PASSWORD_ENV];
  });

  it('keeps the transaction, shows the agency as misconfigured on GET /v1/agencies, and keeps serving', async () => {
    const officer = await app.token('officer', { centre: 'NRB-GPO' });
    const operator = await app.token('operator');
    const warnings: string[] = [];
    const warn = jest.spyOn(console, 'warn').mockImplementation((line: unknown) => void warnings.push(String(line)));
    try {
      const response = await submit(app, officer, kraTransaction());
      expect(response.status).toBe(202);
      const body = await json(response);
      expect(body.state).toBe('retrying');
      expect(body.lastError.code).toBe('misconfigured');

      const kra = (await agencies(app, operator)).items.find((a: { code: string }) => a.code === 'kra');
      expect(kra).toMatchObject({ code: 'kra', kind: 'soap', lastFailure: { code: 'misconfigured', reason: expect.stringContaining('WS-Security credentials') } });
      expect(JSON.stringify(kra)).not.toContain('an-old-password');
      expect(warnings.some((line) => line.includes('agency kra is misconfigured'))).toBe(true);
      expect(agency.stats().accepted).toBe(0);
      expect((await fetch(`${app.url}/health/live`)).status).toBe(200);
    } finally {
      warn.mockRestore();
    }
  });
});
