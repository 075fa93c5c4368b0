import axios from 'axios';
import { createClientAsync, WSSecurity, type Client } from 'soap';
import { SIMULATOR_WSDL, startSoapAgency, type SoapAgencySimulator } from './soap-agency.simulator';

const http = axios.create({ validateStatus: () => true, timeout: 5000 });

type Call = (args: Record<string, unknown>, options?: Record<string, unknown>) => Promise<[Record<string, unknown>]>;

function operation(client: Client, name: string): Call {
  return (client as unknown as Record<string, Call>)[`${name}Async`].bind(client);
}

async function faultOf(promise: Promise<unknown>): Promise<{ status?: number; fault?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { response?: { status?: number }; root?: { Envelope?: { Body?: { Fault?: Record<string, unknown> } } } };
    return { status: e.response?.status, fault: e.root?.Envelope?.Body?.Fault };
  }
  throw new Error('expected a fault');
}

describe('SOAP agency simulator', () => {
  let agency: SoapAgencySimulator;
  let client: Client;
  const submit = (transactionId: string, fields: Record<string, unknown> = { IdNumber: '12345678' }) =>
    operation(client, 'SubmitApplication')({ TransactionId: transactionId, ...fields });

  beforeAll(async () => {
    agency = await startSoapAgency({ referencePrefix: 'KRA' });
    client = await createClientAsync(SIMULATOR_WSDL, { disableCache: true }, agency.url);
  });
  beforeEach(() => agency.reset());
  afterAll(() => agency.close());

  it('creates one application per transaction id and answers a repeat with the same reference', async () => {
    const [first] = await submit('tx-1');
    const [second] = await submit('tx-2');
    const [again] = await submit('tx-1');

    expect(first).toMatchObject({ Reference: 'KRA-000001', Status: 'ACCEPTED' });
    expect(second.Reference).toBe('KRA-000002');
    expect(again.Reference).toBe('KRA-000001');
    expect(agency.stats()).toMatchObject({ calls: 3, accepted: 2, duplicates: 1, byKey: { 'tx-1': 2, 'tx-2': 1 }, order: ['tx-1', 'tx-2'] });
  });

  it('answers a business fault with a detail code for reject mode and for ID 00000000', async () => {
    agency.setMode('reject');
    const rejected = await faultOf(submit('tx-1'));
    agency.setMode('healthy');
    const unknownId = await faultOf(submit('tx-2', { IdNumber: '00000000' }));

    expect(rejected.fault).toMatchObject({ faultcode: 'soap:Client', detail: { ApplicationFault: { Code: 'APPLICATION_REJECTED' } } });
    expect(unknownId.fault).toMatchObject({ detail: { ApplicationFault: { Code: 'ID_NOT_FOUND' } } });
    expect(agency.stats().accepted).toBe(0);
  });

  it('in the faultstring style, answers every fault as soap:Server with its code only in the fault string', async () => {
    agency.setFaultStyle('faultstring');
    try {
      agency.setMode('reject');
      const rejected = await faultOf(submit('tx-1'));
      agency.setMode('healthy');
      const unknownId = await faultOf(submit('tx-2', { IdNumber: '00000000' }));
      agency.failNext(1);
      const transient = await faultOf(submit('tx-3'));
      const malformed = await faultOf(submit('  '));
      const control = await http.put(`${new URL(agency.url).origin}/_control`, { faultStyle: 'detail' });

      expect(rejected.fault).toEqual({ faultcode: 'soap:Server', faultstring: 'E1043: The agency rejected this application' });
      expect(unknownId.fault).toEqual({ faultcode: 'soap:Server', faultstring: 'E1042: No person is registered under this ID number' });
      expect(transient.fault).toEqual({ faultcode: 'soap:Server', faultstring: 'E5003: Service temporarily unavailable, try again later' });
      expect(malformed.fault).toEqual({ faultcode: 'soap:Server', faultstring: 'E4001: TransactionId is required' });
      expect(control.data).toMatchObject({ faultStyle: 'detail' });
      expect(agency.stats().accepted).toBe(0);
    } finally {
      agency.setFaultStyle('detail');
    }
  });

  it('fails with a soap:Server fault (failNext, flaky) and with a plain 503 when down', async () => {
    agency.failNext(1);
    const serverFault = await faultOf(submit('tx-1'));
    agency.setMode('down');
    const down = await faultOf(submit('tx-2'));
    const wsdlWhenDown = await http.get(agency.wsdlUrl);

    expect(serverFault).toMatchObject({ status: 500, fault: { faultcode: 'soap:Server' } });
    expect(down.status).toBe(503);
    expect(down.fault).toBeUndefined();
    expect(wsdlWhenDown.status).toBe(503);
    expect(agency.stats()).toMatchObject({ calls: 2, accepted: 0 });
  });

  it('looks an application up by reference, with a NOT_FOUND fault for an unknown one', async () => {
    await submit('tx-1');

    const [found] = await operation(client, 'GetApplicationStatus')({ Reference: 'KRA-000001' });
    const missing = await faultOf(operation(client, 'GetApplicationStatus')({ Reference: 'KRA-999999' }));

    expect(found).toMatchObject({ Reference: 'KRA-000001', Status: 'ACCEPTED' });
    expect(missing.fault).toMatchObject({ detail: { ApplicationFault: { Code: 'NOT_FOUND' } } });
  });

  it('holds a request in hang mode until the client gives up', async () => {
    agency.setMode('hang');
    const controller = new AbortController();
    const pending = faultOf(operation(client, 'SubmitApplication')({ TransactionId: 'tx-1' }, { signal: controller.signal }));
    for (let i = 0; i < 100 && agency.stats().hanging === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(agency.stats().hanging).toBe(1);

    controller.abort();
    await pending;
    for (let i = 0; i < 100 && agency.stats().hanging === 1; i++) await new Promise((r) => setTimeout(r, 10));

    expect(agency.stats()).toMatchObject({ hanging: 0, accepted: 0, aborted: 1 });
  });

  it('is controlled over HTTP and serves its WSDL', async () => {
    const control = await http.put(`${agency.url.replace(/\/soap\/agency$/, '')}/_control`, { mode: 'down' });
    const stats = await http.get(`${agency.url.replace(/\/soap\/agency$/, '')}/_stats`);
    const bad = await http.put(`${agency.url.replace(/\/soap\/agency$/, '')}/_control`, { mode: 'sleepy' });
    agency.reset();
    const wsdl = await http.get(agency.wsdlUrl);

    expect(control.status).toBe(200);
    expect(stats.data).toMatchObject({ mode: 'down' });
    expect(bad.status).toBe(400);
    expect(wsdl.status).toBe(200);
    expect(wsdl.data).toContain('SubmitApplication');
  });
});

describe('SOAP agency simulator with WS-Security', () => {
  let agency: SoapAgencySimulator;

  beforeAll(async () => {
    agency = await startSoapAgency({ username: 'kiungo', password: 's3cret' });
  });
  afterAll(() => agency.close());

  it.each([
    ['text', 'PasswordText'],
    ['digest', 'PasswordDigest'],
  ])('accepts the right %s password and refuses a wrong one with wsse:FailedAuthentication', async (_label, passwordType) => {
    const right = await createClientAsync(SIMULATOR_WSDL, { disableCache: true }, agency.url);
    right.setSecurity(new WSSecurity('kiungo', 's3cret', { passwordType, hasNonce: true }));
    const wrong = await createClientAsync(SIMULATOR_WSDL, { disableCache: true }, agency.url);
    wrong.setSecurity(new WSSecurity('kiungo', 'guess', { passwordType, hasNonce: true }));

    const [accepted] = await operation(right, 'SubmitApplication')({ TransactionId: `tx-${passwordType}` });
    const refused = await faultOf(operation(wrong, 'SubmitApplication')({ TransactionId: `tx-wrong-${passwordType}` }));

    expect(accepted.Reference).toMatch(/^AG-/);
    expect(refused.fault).toMatchObject({ faultcode: 'wsse:FailedAuthentication' });
  });

  it('refuses a call without a token', async () => {
    const anonymous = await createClientAsync(SIMULATOR_WSDL, { disableCache: true }, agency.url);

    const refused = await faultOf(operation(anonymous, 'SubmitApplication')({ TransactionId: 'tx-anon' }));

    expect(refused.fault).toMatchObject({ faultcode: 'wsse:FailedAuthentication' });
  });
});
