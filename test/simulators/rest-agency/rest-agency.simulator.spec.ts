import axios, { type AxiosResponse } from 'axios';
import { startRestAgency, type RestAgencySimulator } from './rest-agency.simulator';

const http = axios.create({ validateStatus: () => true, timeout: 5000 });

async function until(condition: () => boolean, what: string, limitMs = 3000): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited >= limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('REST agency simulator', () => {
  let agency: RestAgencySimulator;
  const submit = (key: string | undefined, body: Record<string, unknown> = { idNumber: '12345678' }, signal?: AbortSignal): Promise<AxiosResponse> =>
    http.post(`${agency.url}/api/v1/permits`, body, { headers: key ? { 'Idempotency-Key': key } : {}, signal });

  beforeAll(async () => {
    agency = await startRestAgency({ referencePrefix: 'NRB' });
  });
  beforeEach(() => agency.reset());
  afterAll(() => agency.close());

  describe('idempotency', () => {
    it('creates one application per key and answers a repeated key with the same reference', async () => {
      const first = await submit('k-1', { idNumber: '12345678', fullName: 'Wanjiku' });
      const second = await submit('k-2');
      const again = await submit('k-1', { idNumber: '12345678', fullName: 'Wanjiku' });

      expect(first.status).toBe(201);
      expect(first.data).toEqual({ reference: 'NRB-000001', status: 'accepted', idNumber: '12345678', fullName: 'Wanjiku' });
      expect(second.data.reference).toBe('NRB-000002');
      expect(again.status).toBe(200);
      expect(again.data.reference).toBe('NRB-000001');
      expect(agency.stats()).toMatchObject({ calls: 3, accepted: 2, duplicates: 1, byKey: { 'k-1': 2, 'k-2': 1 }, order: ['k-1', 'k-2'] });
    });

    it('refuses a submission without Idempotency-Key', async () => {
      const response = await submit(undefined);

      expect(response.status).toBe(400);
      expect(response.data.error.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
      expect(agency.stats().accepted).toBe(0);
    });

    it('always rejects idNumber 00000000', async () => {
      const response = await submit('k-1', { idNumber: '00000000' });

      expect(response.status).toBe(422);
      expect(response.data.error.code).toBe('ID_NOT_FOUND');
      expect(agency.stats().accepted).toBe(0);
    });
  });

  describe('modes', () => {
    it('reject: 422 for new applications, the existing one for a known key', async () => {
      await submit('k-known');
      agency.setMode('reject');

      const fresh = await submit('k-new');
      const known = await submit('k-known');

      expect(fresh.status).toBe(422);
      expect(fresh.data.error).toMatchObject({ code: 'APPLICATION_REJECTED', message: expect.any(String) });
      expect(known.status).toBe(200);
    });

    it('down: 503 UNAVAILABLE for submissions and health', async () => {
      agency.setMode('down');

      const response = await submit('k-1');
      const health = await http.get(`${agency.url}/health`);

      expect(response.status).toBe(503);
      expect(response.data).toEqual({ error: { code: 'UNAVAILABLE', message: expect.any(String) } });
      expect(health.status).toBe(503);
      expect(agency.stats()).toMatchObject({ calls: 1, accepted: 0 });
    });

    it('flaky: every failEvery-th call fails', async () => {
      agency.setMode('flaky', { failEvery: 2 });
      const statuses: number[] = [];

      for (let i = 1; i <= 4; i++) statuses.push((await submit(`k-${i}`)).status);

      expect(statuses).toEqual([201, 503, 201, 503]);
    });

    it('failNext: the next n calls fail, whatever the mode', async () => {
      agency.failNext(2);
      const statuses: number[] = [];

      for (let i = 1; i <= 3; i++) statuses.push((await submit(`k-${i}`)).status);

      expect(statuses).toEqual([503, 503, 201]);
    });

    it('slow: answers after delayMs', async () => {
      agency.setMode('slow', { delayMs: 120 });
      const started = performance.now();

      const response = await submit('k-1');

      expect(response.status).toBe(201);
      expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    });

    it('hang: holds the request until the client gives up, and notices it', async () => {
      agency.setMode('hang');
      const controller = new AbortController();

      const pending = submit('k-1', undefined, controller.signal);
      await until(() => agency.stats().hanging === 1, 'a hanging request');
      controller.abort();

      await expect(pending).rejects.toMatchObject({ code: 'ERR_CANCELED' });
      await until(() => agency.stats().hanging === 0, 'the hang to end');
      expect(agency.stats()).toMatchObject({ aborted: 1, accepted: 0 });
    });
  });

  describe('status and health', () => {
    it('reports an application by reference and 404 for an unknown one', async () => {
      const { data } = await submit('k-1');

      const found = await http.get(`${agency.url}/api/v1/applications/${data.reference}`);
      const missing = await http.get(`${agency.url}/api/v1/applications/NRB-999999`);

      expect(found.status).toBe(200);
      expect(found.data).toMatchObject({ reference: 'NRB-000001', status: 'accepted', resource: 'permits' });
      expect(missing.status).toBe(404);
    });

    it('is healthy by default', async () => {
      const health = await http.get(`${agency.url}/health`);

      expect(health.status).toBe(200);
    });
  });

  describe('control over HTTP', () => {
    it('sets the mode and failNext, shows stats and resets', async () => {
      const control = await http.put(`${agency.url}/_control`, { mode: 'down' });
      const down = await submit('k-1');
      await http.put(`${agency.url}/_control`, { mode: 'healthy', failNext: 1 });
      const failed = await submit('k-2');
      const accepted = await submit('k-3');
      const stats = await http.get(`${agency.url}/_stats`);
      const reset = await http.post(`${agency.url}/_reset`);
      const afterReset = await submit('k-4');

      expect(control.status).toBe(200);
      expect([down.status, failed.status, accepted.status]).toEqual([503, 503, 201]);
      expect(stats.data).toMatchObject({ calls: 3, accepted: 1, order: ['k-3'] });
      expect(reset.data).toMatchObject({ mode: 'healthy', calls: 0, accepted: 0 });
      // The numbering carries on: a real agency never gives a reference twice.
      expect(afterReset.data.reference).toBe('NRB-000002');
    });

    it('refuses an unknown mode', async () => {
      const response = await http.put(`${agency.url}/_control`, { mode: 'sleepy' });

      expect(response.status).toBe(400);
      expect(agency.stats().mode).toBe('healthy');
    });
  });
});

describe('REST agency simulator with a bearer token', () => {
  it('answers 401 without the token and accepts with it', async () => {
    const agency = await startRestAgency({ bearerToken: 'tkn' });
    try {
      const url = `${agency.url}/api/v1/permits`;
      const without = await http.post(url, { a: 1 }, { headers: { 'Idempotency-Key': 'k-1' } });
      const wrong = await http.post(url, { a: 1 }, { headers: { 'Idempotency-Key': 'k-1', Authorization: 'Bearer nope' } });
      const right = await http.post(url, { a: 1 }, { headers: { 'Idempotency-Key': 'k-1', Authorization: 'Bearer tkn' } });

      expect([without.status, wrong.status, right.status]).toEqual([401, 401, 201]);
      expect(right.data.reference).toBe('AG-000001');
    } finally {
      await agency.close();
    }
  });
});

describe('REST agency simulator with a fixed reference', () => {
  it('gives every new application the same reference (two keys, one reference)', async () => {
    const agency = await startRestAgency({ fixedReference: 'AG-SAME' });
    try {
      const url = `${agency.url}/api/v1/permits`;
      const first = await http.post(url, { a: 1 }, { headers: { 'Idempotency-Key': 'k-1' } });
      const second = await http.post(url, { a: 2 }, { headers: { 'Idempotency-Key': 'k-2' } });

      expect([first.status, second.status]).toEqual([201, 201]);
      expect([first.data.reference, second.data.reference]).toEqual(['AG-SAME', 'AG-SAME']);
      expect(agency.stats().accepted).toBe(2);
    } finally {
      await agency.close();
    }
  });
});

describe('REST agency simulator close()', () => {
  it('ends hanging and slow requests so the process can exit', async () => {
    const agency = await startRestAgency();
    agency.setMode('hang');
    const hanging = http.post(`${agency.url}/api/v1/permits`, { a: 1 }, { headers: { 'Idempotency-Key': 'k-1' } }).then(
      (response) => response.status,
      () => 'connection closed',
    );
    await until(() => agency.stats().hanging === 1, 'a hanging request');

    await agency.close();

    await expect(hanging).resolves.toEqual(expect.anything());
  });
});
