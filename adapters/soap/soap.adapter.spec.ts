import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nock from 'nock';
import type { AgencyDefinition } from '../../contracts/src/catalogue.types';
import { AgencyCallError, type CallContext } from '../agency-adapter.port';
import { agencyRequest, callContext, probeContext } from '../testing/agency-fixtures';
import { SoapAdapter } from './soap.adapter';
import { SIMULATOR_WSDL_FOLDER, soapAgencyDefinition, soapService } from './testing/soap-agency-fixtures';
import { useNock } from '../testing/nock-harness';

const ENDPOINT = 'http://soap-agency.test';
const PATH = '/soap/agency';
const NS = 'urn:kiungo:simulator:agency:v1';

function contextFor(agency: AgencyDefinition, timeoutMs = 10_000, signal?: AbortSignal): CallContext {
  return signal ? { signal, timeoutMs, service: agency.services[0] } : callContext(agency, timeoutMs);
}

function envelope(body: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tns="${NS}"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

const accepted = (reference: string): string =>
  envelope(`<tns:SubmitApplicationResponse><tns:Reference>${reference}</tns:Reference><tns:Status>ACCEPTED</tns:Status><tns:ReceivedAt>2025-04-01T08:00:00Z</tns:ReceivedAt></tns:SubmitApplicationResponse>`);

function fault(code: string, reason: string, detail = ''): string {
  return envelope(`<soap:Fault><faultcode>${code}</faultcode><faultstring>${reason}</faultstring>${detail ? `<detail>${detail}</detail>` : ''}</soap:Fault>`);
}

const applicationFault = (code: string, message: string): string =>
  `<tns:ApplicationFault><tns:Code>${code}</tns:Code><tns:Message>${message}</tns:Message></tns:ApplicationFault>`;

function socketError(code: string): Error {
  return Object.assign(new Error(`socket error ${code}`), { code });
}

describe('SoapAdapter', () => {
  const nockHarness = useNock();
  let logged: string[] = [];
  const adapterFor = (agency: AgencyDefinition, env: NodeJS.ProcessEnv = {}): SoapAdapter => {
    const adapter = new SoapAdapter(agency, { env }, (line) => logged.push(line));
    return nockHarness.opened(adapter);
  };
  const failureOf = async (promise: Promise<unknown>): Promise<AgencyCallError> => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AgencyCallError);
    return error as AgencyCallError;
  };

  afterEach(() => {
    logged = [];
  });

  it('passes on the W3C trace context of the call as a traceparent HTTP header', async () => {
    const agency = soapAgencyDefinition();
    nock(ENDPOINT, { reqheaders: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } })
      .post(PATH)
      .reply(200, accepted('KRA-000002'), { 'content-type': 'text/xml' });

    const outcome = await adapterFor(agency).submit(agencyRequest(), { ...contextFor(agency), traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });

    expect(outcome).toMatchObject({ kind: 'accepted', agencyRef: 'KRA-000002' });
  });

  describe('request and result mapping', () => {
    it('sends the transaction id and the mapped fields to the endpoint override, and maps the result', async () => {
      const agency = soapAgencyDefinition({
        services: [
          soapService('permit-apply', {
            requestMap: { IdNumber: '/idNumber', '/Applicant/FullName': '/fullName' },
            resultMap: { reference: '/Reference', receivedAt: '/ReceivedAt' },
          }),
        ],
      });
      let sent = '';
      nock(ENDPOINT)
        .post(PATH, (body: string) => {
          sent = body;
          return true;
        })
        .reply(200, accepted('KRA-000001'), { 'content-type': 'text/xml' });

      const outcome = await adapterFor(agency).submit(agencyRequest({ transactionId: 'tx-map-1' }), contextFor(agency));

      expect(outcome).toEqual({ kind: 'accepted', agencyRef: 'KRA-000001', result: { reference: 'KRA-000001', receivedAt: '2025-04-01T08:00:00Z' } });
      expect(sent).toMatch(/<(\w+:)?TransactionId>tx-map-1<\/(\w+:)?TransactionId>/);
      expect(sent).toMatch(/<(\w+:)?IdNumber>12345678<\/(\w+:)?IdNumber>/);
      expect(sent).toMatch(/<(\w+:)?Applicant>\s*<(\w+:)?FullName>Wanjiku Kamau<\/(\w+:)?FullName>/);
      expect(sent.indexOf('TransactionId')).toBeLessThan(sent.indexOf('IdNumber'));
    });

    it('without a resultMap returns the operation result, and without a reference is a bad_response', async () => {
      const agency = soapAgencyDefinition();
      nock(ENDPOINT).post(PATH).reply(200, accepted('KRA-000002'));
      nock(ENDPOINT)
        .post(PATH)
        .reply(200, envelope(`<tns:SubmitApplicationResponse><tns:Status>ACCEPTED</tns:Status></tns:SubmitApplicationResponse>`));
      const adapter = adapterFor(agency);

      const outcome = await adapter.submit(agencyRequest(), contextFor(agency));
      const noReference = await failureOf(adapter.submit(agencyRequest(), contextFor(agency)));

      expect(outcome).toEqual({ kind: 'accepted', agencyRef: 'KRA-000002', result: { Reference: 'KRA-000002', Status: 'ACCEPTED', ReceivedAt: '2025-04-01T08:00:00Z' } });
      expect(noReference).toMatchObject({ code: 'bad_response', reason: expect.stringContaining('/Reference') });
    });
  });

  describe('xsd:date and xsd:dateTime', () => {
    it('reads them as ISO-8601 text (a date as YYYY-MM-DD, an instant in UTC), never as JavaScript dates', async () => {
      const { readFileSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
      const folder = mkdtempSync(path.join(tmpdir(), 'kiungo-soap-dates-'));
      try {
        const typed = readFileSync(path.join(SIMULATOR_WSDL_FOLDER, 'agency.wsdl'), 'utf8').replace(
          '<xs:element name="ReceivedAt" type="xs:string"/>',
          '<xs:element name="ReceivedAt" type="xs:dateTime"/><xs:element name="DecisionDate" type="xs:date"/><xs:element name="LocalTime" type="xs:dateTime"/>',
        );
        writeFileSync(path.join(folder, 'agency.wsdl'), typed);
        const agency = { ...soapAgencyDefinition(), folder };
        nock(ENDPOINT)
          .post(PATH)
          .reply(
            200,
            envelope(
              `<tns:SubmitApplicationResponse><tns:Reference>KRA-7</tns:Reference><tns:Status>ACCEPTED</tns:Status><tns:ReceivedAt>2026-12-05T10:00:00+03:00</tns:ReceivedAt><tns:DecisionDate>2026-12-07+03:00</tns:DecisionDate><tns:LocalTime>2026-12-05T10:00:00</tns:LocalTime></tns:SubmitApplicationResponse>`,
            ),
          );

        const outcome = await adapterFor(agency).submit(agencyRequest(), contextFor(agency));

        expect(outcome).toEqual({
          kind: 'accepted',
          agencyRef: 'KRA-7',
          result: { Reference: 'KRA-7', Status: 'ACCEPTED', ReceivedAt: '2026-12-05T07:00:00.000Z', DecisionDate: '2026-12-07', LocalTime: '2026-12-05T10:00:00' },
        });
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });
  });

  describe('faults', () => {
    it('turns a soap:Client fault with a detail code into rejected, with the agency message as reason', async () => {
      const agency = soapAgencyDefinition();
      nock(ENDPOINT).post(PATH).reply(500, fault('soap:Client', 'Rejected', applicationFault('PIN_EXISTS', 'A PIN is already registered to this ID number')));

      const outcome = await adapterFor(agency).submit(agencyRequest(), contextFor(agency));

      expect(outcome).toEqual({ kind: 'rejected', code: 'PIN_EXISTS', reason: 'A PIN is already registered to this ID number' });
    });

    it('honours per-operation rejectFaultCodes and dotted subcodes, and detail pointers', async () => {
      const agency = soapAgencyDefinition({
        services: [soapService('permit-apply', { rejectFaultCodes: ['Client.Duplicate', 'ns:Business'], rejectReasonPointer: '/Why' })],
      });
      nock(ENDPOINT).post(PATH).reply(500, fault('soap:Client.Duplicate', 'Already applied'));
      nock(ENDPOINT).post(PATH).reply(500, fault('x:Business', 'No', '<Code>LATE</Code><Why>Too late for this year</Why>'));
      nock(ENDPOINT).post(PATH).reply(500, fault('soap:Client', 'Bad request', applicationFault('X', 'y')));
      const adapter = adapterFor(agency);

      const dotted = await adapter.submit(agencyRequest(), contextFor(agency));
      const business = await adapter.submit(agencyRequest(), contextFor(agency));
      const plainClient = await failureOf(adapter.submit(agencyRequest(), contextFor(agency)));

      expect(dotted).toEqual({ kind: 'rejected', code: 'Duplicate', reason: 'Already applied' });
      expect(business).toEqual({ kind: 'rejected', code: 'LATE', reason: 'Too late for this year' });
      expect(plainClient).toMatchObject({ code: 'unavailable' });
    });

    it('treats a soap:Client fault without a detail code as our malformed request (misconfigured)', async () => {
      const agency = soapAgencyDefinition();
      nock(ENDPOINT).post(PATH).reply(500, fault('soap:Client', 'Unexpected element Foo'));

      const failure = await failureOf(adapterFor(agency).submit(agencyRequest(), contextFor(agency)));

      expect(failure.code).toBe('misconfigured');
      expect(failure.reason).not.toContain('Unexpected element');
    });

    it('turns soap:Server faults, HTTP 5xx and unreadable answers into transient failures without the raw fault', async () => {
      const agency = soapAgencyDefinition();
      nock(ENDPOINT).post(PATH).reply(500, fault('soap:Server', 'NullPointerException at com.agency.Internal', '<stack>secret</stack>'));
      nock(ENDPOINT).post(PATH).reply(503, '<html><body>Service Unavailable</body></html>', { 'content-type': 'text/html' });
      nock(ENDPOINT).post(PATH).reply(502, '');
      const adapter = adapterFor(agency);

      const server = await failureOf(adapter.submit(agencyRequest(), contextFor(agency)));
      const html = await failureOf(adapter.submit(agencyRequest(), contextFor(agency)));
      const empty = await failureOf(adapter.submit(agencyRequest(), contextFor(agency)));

      expect(server).toMatchObject({ code: 'unavailable', reason: 'the agency answered SOAP fault Server (HTTP 500)' });
      expect([html.code, empty.code]).toEqual(['unavailable', 'unavailable']);
      expect(html.reason).toContain('503');
    });

    it('reports refused WS-Security credentials as misconfigured, and logs it once', async () => {
      const agency = soapAgencyDefinition();
      nock(ENDPOINT).post(PATH).twice().reply(500, fault('wsse:FailedAuthentication', 'The security token could not be authenticated'));
      const adapter = adapterFor(agency);

      const first = await failureOf(adapter.submit(agencyRequest(), contextFor(agency)));
      await failureOf(adapter.submit(agencyRequest(), contextFor(agency)));

      expect(first).toMatchObject({ code: 'misconfigured', reason: expect.stringContaining('WS-Security credentials') });
      expect(logged).toEqual([expect.stringContaining('agency kra is misconfigured')]);
    });

    it('reads SOAP 1.2 faults: Sender with a subcode is rejected, Receiver is transient', async () => {
      const agency = soapAgencyDefinition();
      const fault12 = (code: string, subcode: string, text: string): string =>
        `<?xml version="1.0"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault><env:Code><env:Value>env:${code}</env:Value><env:Subcode><env:Value>m:${subcode}</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">${text}</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>`;
      nock(ENDPOINT).post(PATH).reply(500, fault12('Sender', 'DuplicateApplication', 'An application is already open'));
      nock(ENDPOINT).post(PATH).reply(500, fault12('Receiver', 'DatabaseDown', 'ORA-12541: TNS:no listener'));
      const adapter = adapterFor(agency);

      const sender = await adapter.submit(agencyRequest(), contextFor(agency));
      const receiver = await failureOf(adapter.submit(agencyRequest(), contextFor(agency)));

      expect(sender).toEqual({ kind: 'rejected', code: 'DuplicateApplication', reason: 'An application is already open' });
      expect(receiver).toMatchObject({ code: 'unavailable', reason: 'the agency answered SOAP fault Receiver/DatabaseDown (HTTP 500)' });
      expect(receiver.reason).not.toContain('ORA-');
    });

    it('turns transport errors and a deadline into unavailable and timeout', async () => {
      const agency = soapAgencyDefinition();
      nock(ENDPOINT).post(PATH).replyWithError(socketError('ECONNRESET'));
      nock(ENDPOINT).post(PATH).delay(2000).reply(200, accepted('late'));
      const adapter = adapterFor(agency);

      const reset = await failureOf(adapter.submit(agencyRequest(), contextFor(agency)));
      const controller = new AbortController();
      setTimeout(() => controller.abort(new AgencyCallError('timeout', 'no answer within 100 ms')), 100);
      const late = await failureOf(adapter.submit(agencyRequest(), contextFor(agency, 100, controller.signal)));

      expect(reset).toMatchObject({ code: 'unavailable', reason: 'agency unreachable (ECONNRESET)' });
      expect(late).toMatchObject({ code: 'timeout' });
    });
  });

  describe('fault map', () => {
    const faultstringStyle = [
      { faultcode: 'soap:Server', faultstringPattern: '^(?<code>E1\\d{3}): (?<reason>.+)$', outcome: 'rejected' },
      { faultcode: 'Server', faultstringPattern: '^E4\\d{3}:', outcome: 'misconfigured' },
      { faultcode: 'Server', faultstringPattern: '^E5\\d{3}:', outcome: 'retry' },
    ];

    it('reads codes carried only in the fault string: a business fault is rejected, a transient one retried', async () => {
      const agency = soapAgencyDefinition({ adapter: { faultMap: faultstringStyle } });
      nock(ENDPOINT).post(PATH).reply(500, fault('soap:Server', 'E1042: No person is registered under this ID number'));
      nock(ENDPOINT).post(PATH).reply(500, fault('soap:Server', 'E5003: Service temporarily unavailable'));
      nock(ENDPOINT).post(PATH).reply(500, fault('soap:Server', 'E4001: TransactionId is required'));
      nock(ENDPOINT).post(PATH).reply(500, fault('soap:Server', 'java.lang.NullPointerException'));
      const adapter = adapterFor(agency);

      const rejected = await adapter.submit(agencyRequest(), contextFor(agency));
      const transient = await failureOf(adapter.submit(agencyRequest(), contextFor(agency)));
      const malformed = await failureOf(adapter.submit(agencyRequest(), contextFor(agency)));
      const unmatched = await failureOf(adapter.submit(agencyRequest(), contextFor(agency)));

      expect(rejected).toEqual({ kind: 'rejected', code: 'E1042', reason: 'No person is registered under this ID number' });
      expect(transient).toMatchObject({ code: 'unavailable', reason: 'the agency answered SOAP fault Server (agency kra adapter.faultMap[2]: retry)' });
      expect(malformed).toMatchObject({ code: 'misconfigured', reason: 'the agency answered SOAP fault Server, which agency kra adapter.faultMap[1] maps to misconfigured' });
      expect(unmatched).toMatchObject({ code: 'unavailable', reason: 'the agency answered SOAP fault Server (HTTP 500)' });
      expect(`${transient.reason} ${malformed.reason}`).not.toMatch(/E5003|E4001|Transaction/);
    });

    it('tries the operation rules before the agency rules, and matches an exact fault string and a detail element', async () => {
      const agency = soapAgencyDefinition({
        adapter: { faultMap: [{ faultcode: 'Server', outcome: 'retry' }] },
        services: [
          soapService('permit-apply', {
            faultMap: [
              { faultstring: 'Duplicate application', outcome: 'rejected', code: 'DUPLICATE', reason: 'An application is already open for this person' },
              { detail: { pointer: '/ErrorInfo/ErrorCode', equals: 'B-17' }, outcome: 'rejected' },
              { faultcode: 'Server', detail: { pointer: '/ErrorInfo/ErrorCode', pattern: '^CFG-' }, outcome: 'misconfigured' },
            ],
          }),
        ],
      });
      const errorInfo = (code: string, text: string): string => `<ErrorInfo><ErrorCode>${code}</ErrorCode><ErrorText>${text}</ErrorText></ErrorInfo>`;
      nock(ENDPOINT).post(PATH).reply(500, fault('soap:Server', '  Duplicate application '));
      nock(ENDPOINT).post(PATH).reply(500, fault('soap:Server', 'Business rule failed', errorInfo('B-17', 'Applicant is under 18')));
      nock(ENDPOINT).post(PATH).reply(500, fault('soap:Server', 'Configuration', errorInfo('CFG-2', 'Unknown channel')));
      nock(ENDPOINT).post(PATH).reply(500, fault('soap:Server', 'Business rule failed', errorInfo('B-18', 'Other')));
      const adapter = adapterFor(agency);

      const exact = await adapter.submit(agencyRequest(), contextFor(agency));
      const detail = await adapter.submit(agencyRequest(), contextFor(agency));
      const config = await failureOf(adapter.submit(agencyRequest(), contextFor(agency)));
      const agencyRule = await failureOf(adapter.submit(agencyRequest(), contextFor(agency)));

      expect(exact).toEqual({ kind: 'rejected', code: 'DUPLICATE', reason: 'An application is already open for this person' });
      expect(detail).toEqual({ kind: 'rejected', code: 'B-17', reason: 'Business rule failed' });
      expect(config).toMatchObject({ code: 'misconfigured', reason: expect.stringContaining('operation.faultMap[2]') });
      expect(agencyRule).toMatchObject({ code: 'unavailable', reason: expect.stringContaining('adapter.faultMap[0]: retry') });
    });
  });

  describe('WS-Security', () => {
    it.each([
      ['text', /#PasswordText">s3cret</],
      ['digest', /#PasswordDigest">[A-Za-z0-9+/=]{28}</],
    ])('sends a UsernameToken with a %s password read from the environment', async (passwordType, password) => {
      const agency = soapAgencyDefinition({
        adapter: { security: { type: 'username-token', usernameEnv: 'KRA_USER', passwordEnv: 'KRA_PASSWORD', passwordType } },
      });
      let sent = '';
      nock(ENDPOINT)
        .post(PATH, (body: string) => {
          sent = body;
          return true;
        })
        .reply(200, accepted('KRA-000003'));

      await adapterFor(agency, { KRA_USER: 'kiungo', KRA_PASSWORD: 's3cret' }).submit(agencyRequest(), contextFor(agency));

      expect(sent).toMatch(/<wsse:Username>kiungo<\/wsse:Username>/);
      expect(sent).toMatch(password);
    });

    it('refuses to build without the credentials variables, naming the variable only', () => {
      const agency = soapAgencyDefinition({ adapter: { security: { type: 'username-token', usernameEnv: 'KRA_USER', passwordEnv: 'KRA_PASSWORD' } } });

      expect(() => new SoapAdapter(agency, { env: { KRA_USER: 'kiungo' } })).toThrow(
        expect.objectContaining({ code: 'misconfigured', reason: 'environment variable KRA_PASSWORD is not set' }),
      );
    });
  });

  describe('client TLS', () => {
    it('reads the client certificate from the files the environment names, and needs an https endpoint', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'kiungo-soap-tls-'));
      try {
        writeFileSync(path.join(dir, 'client.pem'), 'not really a certificate');
        writeFileSync(path.join(dir, 'client.key'), 'not really a key');
        const tls = { certFileEnv: 'KRA_CERT', keyFileEnv: 'KRA_KEY' };
        const env = { KRA_CERT: path.join(dir, 'client.pem'), KRA_KEY: path.join(dir, 'client.key') };

        const https = soapAgencyDefinition({ adapter: { tls, endpoint: 'https://soap-agency.test/soap/agency' } });
        const plain = soapAgencyDefinition({ adapter: { tls } });
        const missing = soapAgencyDefinition({ adapter: { tls, endpoint: 'https://soap-agency.test/soap/agency' } });

        expect(adapterFor(https, env).kind).toBe('soap');
        expect(() => new SoapAdapter(plain, { env })).toThrow(expect.objectContaining({ code: 'misconfigured', reason: expect.stringContaining('needs an https SOAP endpoint') }));
        expect(() => new SoapAdapter(missing, { env: { ...env, KRA_KEY: path.join(dir, 'absent.key') } })).toThrow(
          expect.objectContaining({ code: 'misconfigured', reason: 'file named by KRA_KEY cannot be read (ENOENT)' }),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('WSDL and endpoint', () => {
    it('answers misconfigured when the WSDL cannot be loaded, without crashing, and tries again on the next call', async () => {
      const agency = soapAgencyDefinition({ adapter: { wsdl: 'missing.wsdl' } });
      const adapter = adapterFor(agency);

      const first = await failureOf(adapter.submit(agencyRequest(), contextFor(agency)));
      const second = await failureOf(adapter.submit(agencyRequest(), contextFor(agency)));

      expect(first).toMatchObject({ code: 'misconfigured', reason: expect.stringContaining('WSDL missing.wsdl could not be loaded (ENOENT)') });
      expect(second.code).toBe('misconfigured');
    });

    it('loads a WSDL from a URL once and caches the client', async () => {
      const agency = soapAgencyDefinition({ adapter: { wsdl: `${ENDPOINT}/soap/agency?wsdl` } });
      const { readFileSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
      const wsdl = readFileSync(`${agency.folder}/agency.wsdl`, 'utf8');
      const wsdlServed = nock(ENDPOINT).get(PATH).query({ wsdl: '' }).once().reply(200, wsdl);
      nock(ENDPOINT).post(PATH).twice().reply(200, accepted('KRA-000004'));
      const adapter = adapterFor(agency);

      await adapter.submit(agencyRequest(), contextFor(agency));
      const again = await adapter.submit(agencyRequest(), contextFor(agency));

      expect(again).toMatchObject({ kind: 'accepted', agencyRef: 'KRA-000004' });
      expect(wsdlServed.isDone()).toBe(true);
    });

    it('names an operation the WSDL does not have', async () => {
      const agency = soapAgencyDefinition({ services: [soapService('permit-apply', { operation: 'RegisterPin' })] });

      const failure = await failureOf(adapterFor(agency).submit(agencyRequest(), contextFor(agency)));

      expect(failure).toMatchObject({ code: 'misconfigured', reason: expect.stringContaining('has no operation RegisterPin') });
    });
  });

  describe('status', () => {
    it('reads the state of a known application and answers not_found for a business fault', async () => {
      const agency = soapAgencyDefinition();
      nock(ENDPOINT)
        .post(PATH)
        .reply(
          200,
          envelope(`<tns:GetApplicationStatusResponse><tns:Reference>KRA-1</tns:Reference><tns:Status>ISSUED</tns:Status><tns:ReceivedAt>x</tns:ReceivedAt></tns:GetApplicationStatusResponse>`),
        );
      nock(ENDPOINT).post(PATH).reply(500, fault('soap:Client', 'No such application', applicationFault('NOT_FOUND', 'No such application')));
      const adapter = adapterFor(agency);
      const probe = probeContext(10_000);

      await expect(adapter.status('KRA-1', probe)).resolves.toMatchObject({ kind: 'found', agencyRef: 'KRA-1', state: 'ISSUED' });
      await expect(adapter.status('KRA-9', probe)).resolves.toEqual({ kind: 'not_found', agencyRef: 'KRA-9' });
    });
  });
});
