import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { mintDevToken } from '../../gateway/src/auth';
import { loadConfig } from '../../gateway/src/config/env.schema';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { freePort, startGatewayProcess, testGatewayEnv, type GatewayProcess } from '../factories/gateway-process';
import { describeWithRedis } from '../factories/services';
import type { SpanRecord } from '../factories/traced-gateway';
import { nrbEnvelope } from './transactions.helpers';

/** Forwards to the agency simulator and keeps the headers of every request it forwarded. */
async function recordingProxy(target: string): Promise<{ url: string; seen: IncomingHttpHeaders[]; server: Server }> {
  const seen: IncomingHttpHeaders[] = [];
  const upstream = new URL(target);
  const server = createServer((incoming, outgoing) => {
    seen.push(incoming.headers);
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    incoming.pipe(forwarded);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, seen, server };
}

/**
 * Issue 12 item 3: a gateway process traced into the in-memory exporter (test/factories/traced-gateway.ts,
 * started exactly as main.ts is, tracing first). One submitted transaction gives one trace: the
 * server span of POST /v1/transactions, the pg queries and Redis commands beneath it, and the
 * client span of the agency call, whose `traceparent` the agency received.
 */
describeWithRedis('traces of a gateway process', (redisUrl) => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let dataDir: string;
  let gateway: GatewayProcess;
  let spansUrl: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    proxy = await recordingProxy(agency.url);
    dataDir = mkdtempSync(path.join(tmpdir(), 'kiungo-tracing-'));
    const spansPort = await freePort();
    spansUrl = `http://127.0.0.1:${spansPort}/`;
    env = {
      ...testGatewayEnv({ databaseUrl: db.url, dataDir, nrbUrl: proxy.url }),
      REDIS_URL: redisUrl,
      KIUNGO_QUEUE_PREFIX: `kiungo-tracing-${randomUUID().slice(0, 8)}`,
      KIUNGO_TEST_SPANS_PORT: String(spansPort),
    };
    gateway = await startGatewayProcess('api', env, 60_000, path.resolve(__dirname, '..', 'factories', 'traced-gateway.ts'));
  }, 90_000);

  afterAll(async () => {
    await gateway?.stop();
    proxy?.server.close();
    await agency?.close();
    await db?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('one transaction is one trace: the request, its SQL and Redis, and the agency call carrying traceparent', async () => {
    // The agency fails once: the inline call is made, then the retry is scheduled in Redis.
    agency.failNext(1);
    const token = await mintDevToken({ role: 'officer', centre: 'NRB-GPO', subject: 'tracing-officer' }, loadConfig(env));
    const response = await fetch(`${gateway.url}/v1/transactions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify(nrbEnvelope()),
    });
    expect(response.status).toBe(202);

    const spans = (await fetch(spansUrl).then((r) => r.json())) as SpanRecord[];
    const target = (s: SpanRecord) => String(s.attributes['http.target'] ?? s.attributes['url.path'] ?? '');
    const server = spans.find((s) => s.kind === SpanKind.SERVER && target(s) === '/v1/transactions');
    expect(server).toBeDefined();
    const trace = spans.filter((s) => s.traceId === server!.traceId);
    const agencyCall = trace.find((s) => s.kind === SpanKind.CLIENT && String(s.attributes['http.url'] ?? s.attributes['url.full'] ?? '').startsWith(proxy.url));
    expect(agencyCall).toBeDefined();
    // The stable database conventions name it db.system.name, the older ones db.system.
    const database = (s: SpanRecord) => s.attributes['db.system.name'] ?? s.attributes['db.system'];
    expect(trace.some((s) => database(s) === 'postgresql')).toBe(true);
    expect(trace.some((s) => database(s) === 'redis')).toBe(true);

    // The agency got the W3C context of that call: same trace, the client span as parent.
    const submitted = proxy.seen.filter((headers) => headers['idempotency-key']);
    expect(submitted).toHaveLength(1);
    expect(submitted[0].traceparent).toBe(`00-${server!.traceId}-${agencyCall!.spanId}-01`);
    // Health probes are not traced.
    expect(spans.some((s) => s.kind === SpanKind.SERVER && target(s).startsWith('/health'))).toBe(false);
  });

  it('no span carries a national ID number or a phone, whether in the query of a look-up or typed into a path', async () => {
    const token = await mintDevToken({ role: 'officer', centre: 'NRB-GPO', subject: 'tracing-officer' }, loadConfig(env));
    const get = (url: string) => fetch(`${gateway.url}${url}`, { headers: { authorization: `Bearer ${token}` } });
    // A citizen's bookings are looked up by ID number in the query (booking-query.v1.json).
    expect((await get('/v1/bookings?citizen=29876543')).status).toBe(200);
    // Someone types an ID number and a phone where a transaction id belongs.
    expect((await get('/v1/transactions/29876544')).status).toBeGreaterThanOrEqual(400);
    expect((await get('/v1/transactions/0722334455?x=1&29876545=1')).status).toBeGreaterThanOrEqual(400);

    const spans = (await fetch(spansUrl).then((r) => r.json())) as SpanRecord[];
    const servers = spans.filter((s) => s.kind === SpanKind.SERVER && String(s.attributes['url.path']).startsWith('/v1/'));
    // The look-ups were traced, with their paths and queries masked as the problem answers mask them.
    expect(servers.map((s) => [s.attributes['url.path'], s.attributes['url.query']])).toEqual(
      expect.arrayContaining([
        ['/v1/bookings', 'citizen=%5Bredacted%5D'],
        ['/v1/transactions/****6544', undefined],
        ['/v1/transactions/07223***55', 'x=1&****6545=1'],
      ]),
    );
    expect(JSON.stringify(spans)).not.toMatch(/29876543|29876544|29876545|0722334455/);
  });
});
