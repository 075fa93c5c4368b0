import type { AgencyDefinition } from '../../contracts/src/catalogue.types';
import { AgencyCallError, type CallContext } from '../agency-adapter.port';
import { agencyRequest, callContext, probeContext, restAgencyDefinition, restService } from '../testing/agency-fixtures';
import { RestAdapter } from './rest.adapter';
import { useMockHttp } from '../testing/mock-http';

const BASE = 'http://agency.test';

function contextFor(agency: AgencyDefinition, timeoutMs = 5000, signal?: AbortSignal): CallContext {
  return signal ? { signal, timeoutMs, service: agency.services[0] } : callContext(agency, timeoutMs);
}

function socketError(code: string): Error {
  return Object.assign(new Error(`socket error ${code}`), { code });
}

async function submitFailure(adapter: RestAdapter, agency: AgencyDefinition, ctx = contextFor(agency)): Promise<AgencyCallError> {
  const error = await adapter.submit(agencyRequest(), ctx).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AgencyCallError);
  return error as AgencyCallError;
}

describe('RestAdapter', () => {
  const http = useMockHttp();
  const adapterFor = (agency: AgencyDefinition, env: NodeJS.ProcessEnv = {}): RestAdapter => http.opened(new RestAdapter(agency, http.options(env)));


  describe('2xx', () => {
    it('accepts with the reference at agencyRefPointer and, without resultMap, the body as result', async () => {
      const agency = restAgencyDefinition();
      http.on(BASE, 'POST', '/api/v1/permits').reply(201, { reference: 'NRB-000001', status: 'accepted' });

      const outcome = await adapterFor(agency).submit(agencyRequest(), contextFor(agency));

      expect(outcome).toEqual({ kind: 'accepted', agencyRef: 'NRB-000001', result: { reference: 'NRB-000001', status: 'accepted' } });
    });

    it('maps the request and the result by JSON pointer', async () => {
      const agency = restAgencyDefinition({
        services: [
          restService('permit-apply', {
            method: 'PUT',
            path: '/v2/permit',
            requestMap: { national_id: '/idNumber', '/applicant/name': '/fullName', absent: '/no/such/field' },
            agencyRefPointer: '/data/permitNo',
            resultMap: { permitNumber: '/data/permitNo', validUntil: '/data/expiry' },
          }),
        ],
      });
      http
        .on(BASE, 'PUT', '/v2/permit', { json: { national_id: '12345678', applicant: { name: 'Wanjiku Kamau' } } })
        .reply(200, { data: { permitNo: 4711, expiry: '2027-01-01' }, noise: 'x' });

      const outcome = await adapterFor(agency).submit(agencyRequest(), contextFor(agency));

      expect(outcome).toEqual({ kind: 'accepted', agencyRef: '4711', result: { permitNumber: 4711, validUntil: '2027-01-01' } });
    });

    it('sends the payload as it is when there is no requestMap', async () => {
      const agency = restAgencyDefinition();
      const payload = { idNumber: '12345678', nested: { a: [1, 2] } };
      http.on(BASE, 'POST', '/api/v1/permits', { json: payload }).reply(201, { reference: 'R1' });

      await expect(adapterFor(agency).submit(agencyRequest({ payload }), contextFor(agency))).resolves.toMatchObject({ agencyRef: 'R1' });
    });

    it('throws bad_response when the reference is missing or the body is not JSON', async () => {
      const agency = restAgencyDefinition();
      const adapter = adapterFor(agency);
      http.on(BASE, 'POST', '/api/v1/permits').reply(201, { status: 'accepted' });
      expect(await submitFailure(adapter, agency)).toMatchObject({ code: 'bad_response' });

      http.on(BASE, 'POST', '/api/v1/permits').reply(200, '<html>ok</html>', { headers: { 'Content-Type': 'text/html' } });
      expect(await submitFailure(adapter, agency)).toMatchObject({ code: 'bad_response' });
    });
  });

  // An answer over 1 MiB is refused by the adapter's own pool, which MockAgent replaces: see test/integration/rest-adapter.int-spec.ts.

  describe('headers', () => {
    it('sends the transaction id as idempotency key and the correlation id', async () => {
      const agency = restAgencyDefinition({ adapter: { headers: { 'X-Channel': 'kiungo' } } });
      http
        .on(BASE, 'POST', '/api/v1/permits', {
          headers: { 'Idempotency-Key': 'tx-42', 'X-Correlation-Id': 'corr-7', 'X-Channel': 'kiungo', 'Content-Type': /application\/json/ },
        })
        .reply(201, { reference: 'R1' });

      const outcome = await adapterFor(agency).submit(agencyRequest({ transactionId: 'tx-42', correlationId: 'corr-7' }), contextFor(agency));

      expect(outcome.kind).toBe('accepted');
    });

    it('sends no traceparent of its own: undici\'s instrumentation propagates the agency call\'s span', async () => {
      const agency = restAgencyDefinition();
      http.on(BASE, 'POST', '/api/v1/permits', { without: ['traceparent'] }).reply(201, { reference: 'R1' });

      const outcome = await adapterFor(agency).submit(agencyRequest(), { ...contextFor(agency), traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });

      expect(outcome.kind).toBe('accepted');
    });

    it('uses the configured header names, and the transaction id when no correlation id is given', async () => {
      const agency = restAgencyDefinition({ adapter: { idempotencyHeader: 'X-Request-Key', correlationHeader: 'X-Trace' } });
      http
        .on(BASE, 'POST', '/api/v1/permits', { headers: { 'X-Request-Key': 'tx-43', 'X-Trace': 'tx-43' }, without: ['Idempotency-Key'] })
        .reply(201, { reference: 'R1' });

      const outcome = await adapterFor(agency).submit(agencyRequest({ transactionId: 'tx-43' }), contextFor(agency));

      expect(outcome.kind).toBe('accepted');
    });
  });

  describe('business rejections', () => {
    it.each([400, 404, 409, 422])('HTTP %i is rejected with code and reason read by pointer', async (status) => {
      const agency = restAgencyDefinition();
      http.on(BASE, 'POST', '/api/v1/permits').reply(status, { error: { code: 'ID_NOT_FOUND', message: '  No such ID  ' } });

      const outcome = await adapterFor(agency).submit(agencyRequest(), contextFor(agency));

      expect(outcome).toEqual({ kind: 'rejected', code: 'ID_NOT_FOUND', reason: 'No such ID' });
    });

    it('reads custom pointers and trims the reason to 200 characters', async () => {
      const agency = restAgencyDefinition({
        services: [restService('permit-apply', { rejectCodePointer: '/faults/0/id', rejectReasonPointer: '/faults/0/text' })],
      });
      http.on(BASE, 'POST', '/api/v1/permits').reply(422, { faults: [{ id: 'TOO_YOUNG', text: 'x'.repeat(500) }] });

      const outcome = await adapterFor(agency).submit(agencyRequest(), contextFor(agency));

      expect(outcome).toEqual({ kind: 'rejected', code: 'TOO_YOUNG', reason: 'x'.repeat(200) });
    });

    it('never uses the raw body as reason', async () => {
      const agency = restAgencyDefinition();
      http.on(BASE, 'POST', '/api/v1/permits').reply(422, 'Citizen 12345678 Wanjiku Kamau not eligible', { headers: { 'Content-Type': 'text/plain' } });

      const outcome = await adapterFor(agency).submit(agencyRequest(), contextFor(agency));

      // No business code: the status alone says the agency could not take the request.
      expect(outcome).toEqual({ kind: 'rejected', code: 'HTTP_422', reason: 'the agency rejected the application (HTTP 422)', grounds: 'malformed-request' });
    });

    it('tells a refusal on the merits from a request the agency could not read', async () => {
      const agency = restAgencyDefinition();
      const adapter = adapterFor(agency);
      http.on(BASE, 'POST', '/api/v1/permits').reply(400, { error: { code: 'INVALID_DATE_OF_BIRTH', message: 'dateOfBirth' } });
      expect(await adapter.submit(agencyRequest(), contextFor(agency))).toMatchObject({ kind: 'rejected', code: 'INVALID_DATE_OF_BIRTH', grounds: 'malformed-request' });

      http.on(BASE, 'POST', '/api/v1/permits').reply(404, { error: { code: 'ID_NOT_FOUND', message: 'No such ID' } });
      const merits = await adapter.submit(agencyRequest(), contextFor(agency));
      expect(merits).toMatchObject({ kind: 'rejected', code: 'ID_NOT_FOUND' });
      expect(merits).not.toHaveProperty('grounds');
    });

    it('follows businessRejectStatuses from the agency file', async () => {
      const agency = restAgencyDefinition({ adapter: { businessRejectStatuses: [409] } });
      const adapter = adapterFor(agency);
      http.on(BASE, 'POST', '/api/v1/permits').reply(409, { error: { code: 'DUP' } });
      await expect(adapter.submit(agencyRequest(), contextFor(agency))).resolves.toMatchObject({ kind: 'rejected', code: 'DUP' });

      http.on(BASE, 'POST', '/api/v1/permits').reply(422, { error: { code: 'X' } });
      expect(await submitFailure(adapter, agency)).toMatchObject({ code: 'misconfigured' });
    });
  });

  describe('transient failures', () => {
    it.each([
      [401, 'misconfigured'],
      [403, 'misconfigured'],
      [408, 'timeout'],
      [429, 'rate_limited'],
      [500, 'unavailable'],
      [502, 'unavailable'],
      [503, 'unavailable'],
      [405, 'misconfigured'],
      [302, 'misconfigured'],
    ])('HTTP %i throws %s', async (status, code) => {
      const agency = restAgencyDefinition();
      http.on(BASE, 'POST', '/api/v1/permits').reply(status, { error: { code: 'E', message: 'secret detail' } }, { headers: { Location: 'http://elsewhere.test/' } });

      const failure = await submitFailure(adapterFor(agency), agency);

      expect(failure.code).toBe(code);
      expect(failure.reason).toContain(String(status));
      expect(failure.reason).not.toContain('secret detail');
    });

    it('maps a refused connection to unavailable, keeping only the error code', async () => {
      const agency = restAgencyDefinition({ adapter: { auth: { type: 'bearer', tokenEnv: 'NRB_TOKEN' } } });
      http.on(BASE, 'POST', '/api/v1/permits').replyWithError(socketError('ECONNREFUSED'));

      const failure = await submitFailure(adapterFor(agency, { NRB_TOKEN: 's3cr3t-token' }), agency);

      expect(failure).toMatchObject({ code: 'unavailable', reason: 'agency unreachable (ECONNREFUSED)' });
      expect(JSON.stringify(failure)).not.toContain('s3cr3t-token');
      expect(Object.keys(failure)).not.toContain('config');
    });

    it('aborts the HTTP call when the signal fires and reports a timeout', async () => {
      const agency = restAgencyDefinition();
      http.on(BASE, 'POST', '/api/v1/permits').reply(201, { reference: 'late' }).delay(400);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 30);

      const failure = await submitFailure(adapterFor(agency), agency, contextFor(agency, 5000, controller.signal));

      expect(failure.code).toBe('timeout');
      expect(http.allCalled()).toBe(true);
    });

    it('refuses a service that has no operation at this agency', async () => {
      const agency = restAgencyDefinition();
      const ctx = { ...contextFor(agency), service: restService('unknown-service') };

      const failure = await submitFailure(adapterFor(agency), agency, ctx);

      expect(failure.code).toBe('misconfigured');
    });
  });

  describe('status and health', () => {
    // A probe per call: each deadline starts when its call does.
    const probe = () => probeContext(5000);

    it('looks an application up by reference', async () => {
      const agency = restAgencyDefinition();
      const adapter = adapterFor(agency);
      http.on(BASE, 'GET', '/api/v1/applications/NRB%2F1').reply(200, { reference: 'NRB/1', status: 'issued' });
      http.on(BASE, 'GET', '/api/v1/applications/NRB-9').reply(404, { error: { code: 'NOT_FOUND' } });
      http.on(BASE, 'GET', '/api/v1/applications/NRB-5').reply(503);

      await expect(adapter.status('NRB/1', probe())).resolves.toMatchObject({ kind: 'found', agencyRef: 'NRB/1', state: 'issued' });
      await expect(adapter.status('NRB-9', probe())).resolves.toEqual({ kind: 'not_found', agencyRef: 'NRB-9' });
      await expect(adapter.status('NRB-5', probe())).rejects.toMatchObject({ code: 'unavailable' });
    });

    it('reports health from healthPath, and down without throwing', async () => {
      const agency = restAgencyDefinition();
      const adapter = adapterFor(agency);
      http.on(BASE, 'GET', '/health').reply(200, { status: 'up' });
      http.on(BASE, 'GET', '/health').reply(503);
      http.on(BASE, 'GET', '/health').replyWithError(socketError('ECONNRESET'));

      await expect(adapter.health(probe())).resolves.toMatchObject({ up: true });
      await expect(adapter.health(probe())).resolves.toMatchObject({ up: false, detail: 'HTTP 503' });
      await expect(adapter.health(probe())).resolves.toMatchObject({ up: false, detail: 'unavailable: agency unreachable (ECONNRESET)' });
    });
  });
});
