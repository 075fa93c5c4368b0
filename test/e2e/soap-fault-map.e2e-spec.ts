import { startSoapAgency, type SoapAgencySimulator } from '../simulators/soap-agency/soap-agency.simulator';
import { KRA_WSDL, kraPinApplication, kraTestCatalogue, kraTransaction, type KraTestCatalogue } from '../simulators/soap-agency/kra-test-catalogue';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { eventually, startTestApp, type TestApp } from '../factories/app';
import { getTransaction, json, submit } from './transactions.helpers';

/**
 * A SOAP agency whose faults carry their codes only in the fault string (every fault is
 * soap:Server, no detail), configured from its agency file alone: the fault map says which of
 * those faults is the agency saying no and which is transient. Real gateway, real database, the
 * SOAP simulator in its faultstring style over HTTP.
 */
const FAULT_MAP = [
  { faultcode: 'soap:Server', faultstringPattern: '^(?<code>E1\\d{3}): (?<reason>.+)$', outcome: 'rejected' },
  { faultcode: 'soap:Server', faultstringPattern: '^E4\\d{3}:', outcome: 'misconfigured' },
  { faultcode: 'soap:Server', faultstringPattern: '^E5\\d{3}:', outcome: 'retry' },
];

describe('a SOAP agency that codes its faults only in the fault string', () => {
  let catalogue: KraTestCatalogue;
  let db: TestDatabase;
  let agency: SoapAgencySimulator;
  let app: TestApp;
  let officer: string;

  beforeAll(async () => {
    catalogue = kraTestCatalogue({ adapter: { faultMap: FAULT_MAP } });
    db = await createTestDatabase();
    agency = await startSoapAgency({ referencePrefix: 'KRA', wsdl: KRA_WSDL, path: '/soap/kra', faultStyle: 'faultstring' });
    app = await startTestApp({ databaseUrl: db.url, catalogueDir: catalogue.dir, endpointOverrides: { kra: agency.url } });
    officer = await app.token('officer', { centre: 'NRB-GPO' });
  });

  afterAll(async () => {
    await app?.close();
    await agency?.close();
    await db?.close();
    catalogue?.remove();
  });

  it('ends its business fault `rejected` after one call, and retries its transient fault to completion: one application in all', async () => {
    const refused = await submit(app, officer, kraTransaction(kraPinApplication({ idNumber: '00000000' })));
    const rejected = await json(refused);
    const callsAfterRejection = agency.stats().calls;

    agency.failNext(1);
    const retried = await submit(app, officer, kraTransaction(kraPinApplication()));
    const waiting = await json(retried);
    const done = await eventually(() => getTransaction(app, officer, waiting.id), (t) => t.state === 'completed');

    expect(refused.status).toBe(200);
    expect(rejected).toMatchObject({ state: 'rejected', attempts: 1, lastError: { code: 'E1042', reason: 'No person is registered under this ID number' } });
    expect(callsAfterRejection).toBe(1);
    expect(retried.status).toBe(202);
    expect(waiting).toMatchObject({ state: 'retrying', lastError: { code: 'unavailable' } });
    expect(JSON.stringify(waiting)).not.toContain('E5003');
    expect(done.agencyReference).toBe('KRA-000001');
    expect(done.attempts).toBe(2);
    expect(agency.stats()).toMatchObject({ calls: 3, accepted: 1, duplicates: 0, byKey: { [waiting.id]: 1 } });
    expect((await getTransaction(app, officer, rejected.id)).state).toBe('rejected');
  });
});
