/**
 * The real SOAP adapter behind the real resilience layer, against the real SOAP agency simulator
 * (soap.listen over HTTP), with the demo KRA agency file, WSDL and fixtures as the catalogue loads them.
 */
import { AgencyRegistry } from '../../adapters/registry';
import { MAX_AGENCY_ANSWER_BYTES } from '../../contracts/src/catalogue.defaults';
import { loadCatalogue } from '../../contracts/src/catalogue.loader';
import type { AgencyDefinition } from '../../contracts/src/catalogue.types';
import type { AgencyRequest } from '../../contracts/src/dispatch';
import { startSoapAgency, type SoapAgencySimulator } from '../simulators/soap-agency/soap-agency.simulator';
import { KRA_WSDL, kraPinApplication, kraTestCatalogue, type KraTestCatalogue } from '../simulators/soap-agency/kra-test-catalogue';

async function until(condition: () => boolean, what: string, limitMs = 5000): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited >= limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let sequence = 0;
function pinRequest(payload: Record<string, unknown> = kraPinApplication()): AgencyRequest {
  sequence++;
  return { transactionId: `tx-soap-${process.pid}-${sequence}`, serviceCode: 'kra-pin-registration', payload, attempt: 1 };
}

const ENV = { KRA_SOAP_USER: 'kiungo-huduma', KRA_SOAP_PASSWORD: 'pin-s3cret' };

describe('SOAP adapter + ResilientAgency against the SOAP agency simulator (KRA PIN registration)', () => {
  let catalogue: KraTestCatalogue;
  let kra: AgencyDefinition;
  let agency: SoapAgencySimulator;
  let registry: AgencyRegistry;
  const registryWith = (env: NodeJS.ProcessEnv): AgencyRegistry => new AgencyRegistry([kra], { env, endpointOverrides: { kra: agency.url } });

  beforeAll(async () => {
    catalogue = kraTestCatalogue({ usernameEnv: 'KRA_SOAP_USER', passwordEnv: 'KRA_SOAP_PASSWORD', passwordType: 'digest' });
    const loaded = loadCatalogue(catalogue.dir).agency('kra');
    if (!loaded) throw new Error('kra is not in the test catalogue');
    kra = loaded;
    agency = await startSoapAgency({ referencePrefix: 'KRA', wsdl: KRA_WSDL, path: '/soap/kra', username: ENV.KRA_SOAP_USER, password: ENV.KRA_SOAP_PASSWORD });
  });
  beforeEach(() => {
    agency.reset();
    registry = registryWith(ENV);
  });
  afterEach(() => registry.close());
  afterAll(async () => {
    await agency.close();
    catalogue.remove();
  });

  it('is accepted with the agency reference, the mapped result, and a retry is not a second application', async () => {
    const request = pinRequest();

    const first = await registry.dispatch('kra', request, { inline: true });
    const retry = await registry.dispatch('kra', { ...request, attempt: 2 }, { inline: false });
    const status = await registry.status('kra', 'KRA-000001');

    expect(first).toEqual({ kind: 'accepted', agencyRef: 'KRA-000001', result: { reference: 'KRA-000001', status: 'ACCEPTED', receivedAt: expect.any(String) } });
    expect(retry).toMatchObject({ kind: 'accepted', agencyRef: 'KRA-000001' });
    expect(agency.stats()).toMatchObject({ accepted: 1, duplicates: 1, byKey: { [request.transactionId]: 2 } });
    expect(status).toMatchObject({ kind: 'found', agencyRef: 'KRA-000001', state: 'ACCEPTED' });
  });

  it('turns a business fault into rejected with a clean reason, and leaves the breaker closed', async () => {
    agency.setMode('reject');
    const outcomes = [];
    for (let i = 0; i < 6; i++) outcomes.push(await registry.dispatch('kra', pinRequest(), { inline: true }));
    agency.setMode('healthy');
    const unknownId = await registry.dispatch('kra', pinRequest(kraPinApplication({ idNumber: '00000000' })), { inline: true });

    expect(outcomes.every((o) => o.kind === 'rejected' && o.code === 'APPLICATION_REJECTED' && o.reason === 'The agency rejected this application')).toBe(true);
    expect(unknownId).toEqual({ kind: 'rejected', code: 'ID_NOT_FOUND', reason: 'No person is registered under this ID number' });
    expect(registry.agency('kra').breakerState()).toBe('closed');
  });

  it('turns a soap:Server fault and a 503 into transient failures, and then completes once the agency is back', async () => {
    const request = pinRequest();
    agency.failNext(1);
    const serverFault = await registry.dispatch('kra', request, { inline: true });
    agency.setMode('down');
    const down = await registry.dispatch('kra', { ...request, attempt: 2 }, { inline: false });
    agency.setMode('healthy');
    const completed = await registry.dispatch('kra', { ...request, attempt: 3 }, { inline: false });

    expect(serverFault).toMatchObject({ kind: 'transient', code: 'unavailable', reason: expect.stringContaining('SOAP fault Server') });
    expect(down).toMatchObject({ kind: 'transient', code: 'unavailable', reason: expect.stringContaining('503') });
    expect(completed).toMatchObject({ kind: 'accepted', agencyRef: 'KRA-000001' });
    expect(agency.stats()).toMatchObject({ calls: 3, accepted: 1 });
  });

  it('times out a hanging agency and really aborts the SOAP call', async () => {
    agency.setMode('hang');

    const outcome = await registry.dispatch('kra', pinRequest(), { inline: true });

    expect(outcome).toMatchObject({ kind: 'transient', code: 'timeout' });
    await until(() => agency.stats().aborted === 1, 'the simulator to see the aborted request');
    expect(agency.stats()).toMatchObject({ hanging: 0, accepted: 0 });
  });

  it('reports wrong WS-Security credentials as misconfigured in the registry, without a crash or the raw fault', async () => {
    await registry.close();
    registry = registryWith({ ...ENV, KRA_SOAP_PASSWORD: 'wrong' });

    const outcome = await registry.dispatch('kra', pinRequest(), { inline: true });

    expect(outcome).toEqual({ kind: 'transient', code: 'misconfigured', reason: 'the agency refused our WS-Security credentials (SOAP fault FailedAuthentication)' });
    expect(registry.list()).toEqual([expect.objectContaining({ code: 'kra', kind: 'soap', lastFailure: expect.objectContaining({ code: 'misconfigured' }) })]);
    expect(agency.stats().accepted).toBe(0);
  });

  it('lists the agency as misconfigured when a credential variable is missing, and never calls it', async () => {
    await registry.close();
    registry = registryWith({ KRA_SOAP_USER: ENV.KRA_SOAP_USER });

    const outcome = await registry.dispatch('kra', pinRequest(), { inline: true });

    expect(outcome).toMatchObject({ kind: 'transient', code: 'misconfigured', reason: 'environment variable KRA_SOAP_PASSWORD is not set' });
    expect(agency.stats().calls).toBe(0);
  });

  it('refuses an answer one byte past MAX_AGENCY_ANSWER_BYTES as bad_response, as REST does, and takes one of exactly that size', async () => {
    try {
      agency.padAnswersTo(MAX_AGENCY_ANSWER_BYTES + 1);
      const refused = await registry.dispatch('kra', pinRequest(), { inline: true });
      agency.padAnswersTo(MAX_AGENCY_ANSWER_BYTES);
      const atTheCap = await registry.dispatch('kra', pinRequest(), { inline: true });

      expect(refused).toEqual({ kind: 'transient', code: 'bad_response', reason: `answer larger than ${MAX_AGENCY_ANSWER_BYTES} bytes` });
      expect(atTheCap).toMatchObject({ kind: 'accepted', agencyRef: 'KRA-000002' });
    } finally {
      agency.padAnswersTo(null);
    }
  });

  it('probes health through the endpoint', async () => {
    const up = await registry.health('kra');
    agency.setMode('down');
    const down = await registry.health('kra');

    expect(up).toMatchObject({ up: true });
    expect(down).toMatchObject({ up: false, detail: 'HTTP 503' });
  });
});
