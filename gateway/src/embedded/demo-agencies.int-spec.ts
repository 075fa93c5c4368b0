import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AgencyRegistry } from '../../../adapters/registry';
import { defaultCatalogueDir, loadCatalogue } from '../../../contracts/src';
import { startDemoAgencies, type DemoAgencies } from './demo-agencies';

/** The embedded demo: every REST and SOAP agency of the demo catalogue answered by a simulator in-process. */
describe('startDemoAgencies', () => {
  const catalogue = loadCatalogue(defaultCatalogueDir());
  let dataDir: string;
  let demo: DemoAgencies;
  let registry: AgencyRegistry;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'kiungo-demo-'));
    demo = await startDemoAgencies(catalogue.agencies, { dataDir, env: {} });
    registry = new AgencyRegistry(catalogue.agencies, { env: {}, endpointOverrides: demo.endpoints });
  });
  afterAll(async () => {
    await registry.close();
    await demo.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts a simulator for each REST and SOAP agency, the SOAP one on its own path', () => {
    const rest = catalogue.agencies.filter((a) => a.adapter.kind === 'rest').map((a) => a.code);

    for (const code of rest) expect(demo.endpoints[code]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(demo.endpoints.kra).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/soap\/kra$/);
    expect(demo.endpoints.ntsa).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/soap\/ntsa$/);
  });

  it('answers a driving licence renewal through the NTSA WSDL, and rejects with the NTSA fault detail', async () => {
    const folder = catalogue.agency('ntsa')?.folder ?? '';
    const payload = JSON.parse(readFileSync(path.join(folder, 'fixtures', 'ntsa-licence-renewal.request', 'ok', 'matatu-driver-one-year.json'), 'utf8')) as Record<string, unknown>;
    const request = { transactionId: 'demo-tx-2', serviceCode: 'ntsa-licence-renewal', payload, attempt: 1 };

    const accepted = await registry.dispatch('ntsa', request, { inline: true });
    const rejected = await registry.dispatch('ntsa', { ...request, transactionId: 'demo-tx-3', payload: { ...payload, idNumber: '00000000' } }, { inline: true });

    expect(accepted).toMatchObject({ kind: 'accepted', agencyRef: 'NTSA-000001', result: { receivedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/) } });
    // ReceivedAt is an xs:dateTime in the NTSA WSDL: it must arrive as text the response schema accepts.
    expect(accepted.kind === 'accepted' && catalogue.validator.validateResponse('ntsa-licence-renewal', accepted.result)).toEqual([]);
    expect(rejected).toEqual({ kind: 'rejected', code: 'ID_NOT_FOUND', reason: 'No person is registered under this ID number' });
  });

  it('answers a KRA PIN registration through the real SOAP adapter and the agency WSDL', async () => {
    const fixture = path.join(catalogue.agency('kra')?.folder ?? '', 'fixtures', 'kra-pin-registration.request', 'ok', 'salaried-employee.json');
    const payload = JSON.parse(readFileSync(fixture, 'utf8')) as Record<string, unknown>;

    const outcome = await registry.dispatch('kra', { transactionId: 'demo-tx-1', serviceCode: 'kra-pin-registration', payload, attempt: 1 }, { inline: true });

    expect(outcome).toMatchObject({ kind: 'accepted', agencyRef: 'KRA-000001', result: { reference: 'KRA-000001', status: 'ACCEPTED' } });
  });

  it('simulates no agency of another catalogue, even one that copies a demo folder: its endpoint is real', async () => {
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'kiungo-own-catalogue-'));
    try {
      cpSync(defaultCatalogueDir(), elsewhere, { recursive: true });
      const own = loadCatalogue(elsewhere);
      const started = await startDemoAgencies(own.agencies, { dataDir, env: {} });
      await started.close();

      expect(own.agencies.map((a) => a.code)).toEqual(expect.arrayContaining(['kra', 'ntsa', 'nrb', 'dci']));
      expect(started.endpoints).toEqual({});
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
