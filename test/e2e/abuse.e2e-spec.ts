import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually, startTestApp, type TestApp } from '../factories/app';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres, describeWithRedis } from '../factories/services';
import { call, centreBody, day, SERVICE } from './bookings.helpers';

interface RawAnswer {
  status: number;
  headers: string;
  body: string;
  /** True once the server closed the connection. */
  closed: boolean;
}

/**
 * Speaks HTTP over a plain socket: writes `head`, then each of `drip` one at a time every
 * `everyMs` while the connection lasts, and collects whatever the server answers until it closes.
 */
function rawRequest(app: TestApp, head: string, drip: string[] = [], everyMs = 200): Promise<RawAnswer> {
  const { port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      socket.write(head);
      const left = [...drip];
      timer = setInterval(() => {
        const next = left.shift();
        if (next === undefined || socket.destroyed) return clearInterval(timer);
        socket.write(next);
      }, everyMs);
    });
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
    socket.on('close', () => {
      clearInterval(timer);
      const [headers, body = ''] = received.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0), headers, body, closed: true });
    });
  });
}

function expectProblem(answer: { status: number; headers: string; body: string }, status: number): void {
  expect(answer.status).toBe(status);
  expect(answer.headers).toMatch(/\r\ncontent-type: application\/problem\+json/i);
  expect(JSON.parse(answer.body)).toMatchObject({ status, type: expect.stringMatching(/^https:\/\/kiungo\.dev\/problems\//), correlationId: expect.any(String) });
}

async function problemOf(response: Response): Promise<Record<string, unknown>> {
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await response.json()) as Record<string, unknown>;
}

/**
 * Abuse, over real sockets: slow and oversized requests are cut and answered as problems; every
 * client has a request budget (429 with Retry-After), shared by replicas through Redis; a client
 * opens only so many board streams.
 */
describeWithPostgres('abuse', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  describe('the HTTP layer', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({
        databaseUrl: db.url,
        env: { KIUNGO_HTTP_HEADERS_TIMEOUT_MS: '1000', KIUNGO_HTTP_REQUEST_TIMEOUT_MS: '1500', KIUNGO_BODY_LIMIT_BYTES: '2048', KIUNGO_HTTP_MAX_URL_BYTES: '1024' },
      });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('cuts a body that drips one byte at a time: 408 problem+json, connection closed', async () => {
      const token = await app.token('officer', { centre: 'NRB-GPO' });
      const head = `POST /v1/transactions HTTP/1.1\r\nHost: kiungo\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nIdempotency-Key: ${randomUUID()}\r\nContent-Length: 1000\r\n\r\n{`;
      // A thousand bytes at five a second would take over three minutes.
      const answer = await rawRequest(app, head, Array.from({ length: 1000 }, () => ' '), 200);
      expectProblem(answer, 408);
      expect(answer.closed).toBe(true);
    });

    it('cuts headers that never end: 408 problem+json', async () => {
      const answer = await rawRequest(app, 'GET /v1/services HTTP/1.1\r\nHost: kiungo\r\n', Array.from({ length: 1000 }, () => 'X'), 200);
      expectProblem(answer, 408);
    });

    it('answers oversized headers with 431, an over-long request line with 414, and a request that is not HTTP with 400, all problem+json', async () => {
      expectProblem(await rawRequest(app, `GET /v1/services HTTP/1.1\r\nHost: kiungo\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), 431);
      expectProblem(await rawRequest(app, `GET /v1/services/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: kiungo\r\n\r\n`), 414);
      expectProblem(await rawRequest(app, 'HELLO THERE\r\n\r\n'), 400);
    });

    it('answers a long URL with 414 and a body over the limit with 413, as problem+json', async () => {
      const token = await app.token('officer', { centre: 'NRB-GPO' });
      const long = await fetch(`${app.url}/v1/services?q=${'a'.repeat(2000)}`, { headers: { authorization: `Bearer ${token}` } });
      expect(long.status).toBe(414);
      expect(await problemOf(long)).toMatchObject({ status: 414, type: 'https://kiungo.dev/problems/uri-too-long' });

      const big = await fetch(`${app.url}/v1/transactions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({ padding: 'x'.repeat(5000) }),
      });
      expect(big.status).toBe(413);
      expect(await problemOf(big)).toMatchObject({ status: 413 });
    });

    it('keeps an ID number or a phone typed into a URL out of the answer (and of the logs: log-leaks.ts checks every line)', async () => {
      const token = await app.token('admin');
      const centre = await fetch(`${app.url}/v1/centres/12345678`, { headers: { authorization: `Bearer ${token}` } });
      expect(centre.status).toBe(404);
      const text = await centre.text();
      expect(text).not.toContain('12345678');
      const phone = await fetch(`${app.url}/v1/centres/+254712345678?phone=0712345678`, { headers: { authorization: `Bearer ${token}` } });
      expect(await phone.text()).not.toMatch(/712345678/);
    });
  });

  describe('rate limits, in memory (embedded)', () => {
    let app: TestApp;
    const USSD_SECRET = 'abuse-test-secret-0123456789';
    beforeAll(async () => {
      app = await startTestApp({
        databaseUrl: db.url,
        env: { KIUNGO_RATE_LIMITS: 'officer=3/h,public=2/h,phone=2/h', KIUNGO_USSD_SECRET: USSD_SECRET },
      });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('gives each client its budget: past it, 429 problem+json with Retry-After; another client is not affected', async () => {
      const officer = await app.token('officer', { centre: 'NRB-GPO', subject: 'busy-officer' });
      const get = (token: string) => fetch(`${app.url}/v1/services`, { headers: { authorization: `Bearer ${token}` } });
      for (let i = 0; i < 3; i += 1) expect((await get(officer)).status).toBe(200);
      const refused = await get(officer);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await problemOf(refused)).toMatchObject({ status: 429, type: 'https://kiungo.dev/problems/too-many-requests', title: 'Too many requests' });

      expect((await get(await app.token('officer', { centre: 'NRB-GPO', subject: 'calm-officer' }))).status).toBe(200);
      // An officer who also holds another role is limited by the more generous one: channel has no limit set here.
      expect((await get(await app.token('channel', { subject: 'busy-officer' }))).status).toBe(200);
      // Health probes spend no budget.
      for (let i = 0; i < 5; i += 1) expect((await fetch(`${app.url}/health/live`)).status).toBe(200);
    });

    it('counts public routes per address and the USSD callback per phone', async () => {
      const board = () => fetch(`${app.url}/boards/NO-SUCH-CENTRE`);
      expect((await board()).status).toBe(404);
      expect((await board()).status).toBe(404);
      expect((await board()).status).toBe(429);

      const ussd = (phoneNumber: string) =>
        fetch(`${app.url}/v1/channels/ussd?key=${USSD_SECRET}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ sessionId: `ATUid_${randomUUID()}`, serviceCode: '*384*19#', phoneNumber, text: '' }).toString(),
        });
      expect((await ussd('+254711000333')).status).toBe(200);
      expect((await ussd('0711000333')).status).toBe(200);
      const refused = await ussd('254711000333');
      expect(refused.status).toBe(429);
      const problem = await problemOf(refused);
      expect(JSON.stringify(problem)).not.toContain('711000333');
      expect((await ussd('+254722000444')).status).toBe(200);
    });
  });

  describeWithRedis('rate limits in Redis', (redisUrl) => {
    let first: TestApp;
    let second: TestApp;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'kiungo-abuse-'));
    beforeAll(async () => {
      // One deployment: the same queue prefix, data key and development signing key (data dir).
      const deployment = {
        databaseUrl: db.url,
        redisUrl,
        queuePrefix: `kiungo-test-${randomUUID().slice(0, 8)}`,
        dataDir,
        dataKey: randomBytes(32).toString('base64'),
        env: { KIUNGO_RATE_LIMITS: 'officer=4/h' },
        role: 'api' as const,
      };
      first = await startTestApp(deployment);
      second = await startTestApp(deployment);
    });
    afterAll(async () => {
      await second?.close();
      await first?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('shares one budget between two replicas', async () => {
      const token = await first.token('officer', { centre: 'NRB-GPO', subject: 'replicated-officer' });
      const get = (app: TestApp) => fetch(`${app.url}/v1/services`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
      expect([await get(first), await get(second), await get(first), await get(second)]).toEqual([200, 200, 200, 200]);
      expect(await get(second)).toBe(429);
      expect(await get(first)).toBe(429);
    });
  });

  describe('board streams', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ databaseUrl: db.url, env: { KIUNGO_BOARD_STREAMS_PER_CLIENT: '2' } });
      const admin = await app.token('admin');
      const created = await call(app, 'PUT', '/v1/centres/NBI-ABUSE', admin, centreBody(day(25), [{ service: SERVICE, ticketLetter: 'A', slotCapacity: 2 }]));
      expect(created).toMatchObject({ status: 201 });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('lets one client open only so many streams; one closed, another opens', async () => {
      const open = async () => {
        const abort = new AbortController();
        const response = await fetch(`${app.url}/v1/centres/NBI-ABUSE/board`, { signal: abort.signal });
        return { response, close: () => abort.abort() };
      };
      const one = await open();
      const two = await open();
      expect([one.response.status, two.response.status]).toEqual([200, 200]);
      const three = await open();
      expect(three.response.status).toBe(429);
      expect(await problemOf(three.response)).toMatchObject({ type: 'https://kiungo.dev/problems/too-many-board-streams' });
      expect(Number(three.response.headers.get('retry-after'))).toBeGreaterThan(0);

      one.close();
      const four = await eventually(open, (attempt) => {
        if (attempt.response.status === 200) return true;
        attempt.close();
        return false;
      });
      expect(four.response.status).toBe(200);
      two.close();
      four.close();
    });
  });
});
