import { rmSync } from 'node:fs';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';
import { eventually, type TestApp } from '../factories/app';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { json, type JsonBody } from './transactions.helpers';
import { deployment, setMode, type Deployment } from './manual-fallback.helpers';

/**
 * Issue 10, "availability before the form": GET /v1/services says, per service, the agency's
 * effective mode, the fallback policy a request would meet now and, in maintenance, until when,
 * so a portal or a counter app can warn before the citizen fills the form.
 */
describeWithPostgres('service availability in the catalogue', () => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let deploy: Deployment;
  let app: TestApp;
  let operator: string;
  let channel: string;

  const services = async (): Promise<Record<string, JsonBody>> => {
    const response = await fetch(`${app.url}/v1/services`, { headers: { authorization: `Bearer ${channel}` } });
    expect(response.status).toBe(200);
    return Object.fromEntries((await json(response)).items.map((s: JsonBody) => [s.code, s.availability]));
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    deploy = deployment(db);
    app = await deploy.start(agency.url);
    operator = await app.token('operator');
    channel = await app.token('channel');
  });

  afterAll(async () => {
    await app?.close();
    await agency?.close();
    await db?.close();
    if (deploy) rmSync(deploy.dataDir, { recursive: true, force: true });
  });

  it('says auto with no fallback, then the fallback each service meets in manual, then maintenance until its end', async () => {
    expect((await services())['id-card-replacement']).toEqual({ agencyMode: 'auto', appliedFallback: null, until: null });

    expect((await setMode(app, operator, { mode: 'manual', reason: 'NRB platform down' })).status).toBe(200);
    const manual = await eventually(services, (s) => s['id-card-replacement'].agencyMode === 'manual', 3000, 100);
    expect(manual['id-card-replacement']).toEqual({ agencyMode: 'manual', appliedFallback: 'store-and-forward', until: null });
    expect(manual['id-card-status-check']).toEqual({ agencyMode: 'manual', appliedFallback: 'reject', until: null });
    expect(manual['id-card-amendment']).toEqual({ agencyMode: 'manual', appliedFallback: 'manual', until: null });

    const start = new Date(Date.now() - 60_000).toISOString();
    const end = new Date(Date.now() + 3_600_000).toISOString();
    expect((await setMode(app, operator, { mode: 'maintenance', reason: 'NRB upgrade', window: { start, end } })).status).toBe(200);
    const maintenance = await eventually(services, (s) => s['id-card-replacement'].agencyMode === 'maintenance', 3000, 100);
    expect(maintenance['id-card-status-check']).toEqual({ agencyMode: 'maintenance', appliedFallback: 'reject', until: new Date(end).toISOString() });

    const one = await fetch(`${app.url}/v1/services/id-card-replacement`, { headers: { authorization: `Bearer ${channel}` } }).then(json);
    expect(one.availability).toEqual({ agencyMode: 'maintenance', appliedFallback: 'store-and-forward', until: new Date(end).toISOString() });
  });
});
