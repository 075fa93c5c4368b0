/**
 * The real REST adapter behind the real resilience layer, against real simulators over HTTP.
 */
import { createServer, type Server } from 'node:http';
import { version } from '../../package.json';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import type { AgencyOutcome } from '../../contracts/src/dispatch';
import { AgencyRegistry } from '../../adapters/registry';
import { MAX_AGENCY_ANSWER_BYTES } from '../../contracts/src/catalogue.defaults';
import { createRestAdapter } from '../../adapters/rest/rest.adapter';
import { agencyRequest, callContext, restAgencyDefinition } from '../../adapters/testing/agency-fixtures';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';

async function until(condition: () => boolean, what: string, limitMs = 5000): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited >= limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const nrbDefinition = restAgencyDefinition({
  code: 'nrb',
  name: 'National Registration Bureau',
  resilience: {
    timeoutMs: 3000,
    // Generous: a call the box is merely slow to answer (the whole suite on 2 busy cores) is not a
    // timeout. Only the hanging agency below waits the deadline out.
    inlineTimeoutMs: 2000,
    concurrency: 2,
    queueLimit: 1,
    breaker: { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 300 },
  },
});
const kraDefinition = restAgencyDefinition({ code: 'kra', name: 'Revenue Authority', resilience: { concurrency: 4, queueLimit: 4, inlineTimeoutMs: 2000 } });

describe('REST adapter + ResilientAgency against the REST agency simulator', () => {
  let nrb: RestAgencySimulator;
  let kra: RestAgencySimulator;
  let registry: AgencyRegistry;

  beforeAll(async () => {
    nrb = await startRestAgency({ referencePrefix: 'NRB' });
    kra = await startRestAgency({ referencePrefix: 'KRA' });
  });
  beforeEach(() => {
    nrb.reset();
    kra.reset();
    registry = new AgencyRegistry([nrbDefinition, kraDefinition], { env: {}, endpointOverrides: { nrb: nrb.url, kra: kra.url } });
  });
  afterEach(() => registry.close());
  afterAll(async () => {
    await Promise.all([nrb.close(), kra.close()]);
  });

  it('is accepted with the agency reference, and a retry of the same transaction is not a second application', async () => {
    const request = agencyRequest({ transactionId: 'tx-int-1' });

    const first = await registry.dispatch('nrb', request, { inline: true });
    const retry = await registry.dispatch('nrb', { ...request, attempt: 2 }, { inline: false });
    const status = await registry.status('nrb', 'NRB-000001');

    expect(first).toMatchObject({ kind: 'accepted', agencyRef: 'NRB-000001' });
    expect(retry).toMatchObject({ kind: 'accepted', agencyRef: 'NRB-000001' });
    expect(nrb.stats()).toMatchObject({ accepted: 1, duplicates: 1, byKey: { 'tx-int-1': 2 } });
    expect(status).toMatchObject({ kind: 'found', agencyRef: 'NRB-000001', state: 'accepted' });
  });

  it('turns a 503 into a transient outcome', async () => {
    nrb.failNext(1);

    await expect(registry.dispatch('nrb', agencyRequest(), { inline: true })).resolves.toMatchObject({ kind: 'transient', code: 'unavailable' });
  });

  it('turns a business rejection into rejected and leaves the breaker closed', async () => {
    nrb.setMode('reject');

    const outcomes: AgencyOutcome[] = [];
    for (let i = 0; i < 5; i++) outcomes.push(await registry.dispatch('nrb', agencyRequest(), { inline: true }));
    const byId = await registry.dispatch('kra', agencyRequest({ payload: { idNumber: '00000000' } }), { inline: true });

    expect(outcomes.every((o) => o.kind === 'rejected' && o.code === 'APPLICATION_REJECTED')).toBe(true);
    expect(byId).toMatchObject({ kind: 'rejected', code: 'ID_NOT_FOUND' });
    expect(registry.agency('nrb').breakerState()).toBe('closed');
  });

  it('opens the breaker when the agency stays down, fails fast without calling it, and recovers with a real trial call', async () => {
    nrb.setMode('down');
    for (let i = 0; i < 3; i++) await registry.dispatch('nrb', agencyRequest(), { inline: true });
    expect(registry.agency('nrb').breakerState()).toBe('open');
    const callsSeen = nrb.stats().calls;

    const fastFail = await registry.dispatch('nrb', agencyRequest(), { inline: true });

    expect(fastFail).toMatchObject({ kind: 'transient', code: 'breaker_open' });
    expect(nrb.stats().calls).toBe(callsSeen);
    expect(registry.list().find((a) => a.code === 'nrb')).toMatchObject({ breaker: 'open', lastFailure: { code: 'unavailable' } });

    nrb.setMode('healthy');
    await until(() => registry.agency('nrb').breakerState() === 'half_open', 'half-open');
    const trial = await registry.dispatch('nrb', agencyRequest(), { inline: true });

    expect(trial).toMatchObject({ kind: 'accepted' });
    expect(nrb.stats()).toMatchObject({ calls: callsSeen + 1, accepted: 1 });
    expect(registry.agency('nrb').breakerState()).toBe('closed');
  });

  // The adapter keeps no timer of its own: the signal ResilientAgency hands it (the port's promise) ends the HTTP call.
  it('times out a hanging agency at the inline deadline and really aborts the HTTP call', async () => {
    nrb.setMode('hang');

    const outcome = await registry.dispatch('nrb', agencyRequest(), { inline: true });

    expect(outcome).toMatchObject({ kind: 'transient', code: 'timeout', reason: 'no answer within 2000 ms' });
    await until(() => nrb.stats().aborted === 1, 'the simulator to see the aborted request');
    expect(nrb.stats()).toMatchObject({ hanging: 0, accepted: 0 });
  });

  it('aborts a background call to a slow agency at its deadline, before the agency answers', async () => {
    nrb.setMode('slow', { delayMs: 60_000 });

    const outcome = await registry.dispatch('nrb', agencyRequest(), { inline: false });

    expect(outcome).toMatchObject({ kind: 'transient', code: 'timeout', reason: 'no answer within 3000 ms' });
    await until(() => nrb.stats().aborted === 1, 'the simulator to see the aborted request');
    expect(nrb.stats()).toMatchObject({ accepted: 0 });
  });

  it('does not let a slow agency delay calls to another agency', async () => {
    nrb.setMode('slow', { delayMs: 2000 });
    const finished: string[] = [];
    const track = (label: string, outcome: Promise<AgencyOutcome>): Promise<AgencyOutcome> =>
      outcome.then((o) => {
        finished.push(label);
        return o;
      });

    const slowCalls = [1, 2, 3].map((i) => track(`nrb-${i}`, registry.dispatch('nrb', agencyRequest(), { inline: false })));
    await until(() => registry.agency('nrb').stats().inFlight === 2 && registry.agency('nrb').stats().queued === 1, 'nrb bulkhead full');
    const refused = await registry.dispatch('nrb', agencyRequest(), { inline: false });
    const fastOutcomes = await Promise.all([1, 2, 3, 4, 5].map((i) => track(`kra-${i}`, registry.dispatch('kra', agencyRequest(), { inline: true }))));
    const nrbWhileKraDone = registry.agency('nrb').stats();
    const slowOutcomes = await Promise.all(slowCalls);

    expect(refused).toMatchObject({ kind: 'transient', code: 'bulkhead_full' });
    expect(fastOutcomes.map((o) => o.kind)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
    expect(nrbWhileKraDone).toMatchObject({ inFlight: 2, queued: 1 });
    expect(finished.slice(0, 5).every((label) => label.startsWith('kra-'))).toBe(true);
    expect(slowOutcomes.map((o) => o.kind)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(kra.stats().accepted).toBe(5);
    expect(nrb.stats().accepted).toBe(3);
  });
});

describe('REST adapter against an agency answering more than it may', () => {
  const MiB = 1024 * 1024;
  let server: Server;
  let url: string;
  /** What the agency sends next: a reference padded to this many bytes, written 64 KiB at a time. */
  let answerBytes = 0;
  /** Per answer: whether the agency wrote all of it before the connection went. */
  const finished: boolean[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      const head = '{"reference":"NRB-BIG","padding":"';
      const tail = '"}';
      let left = answerBytes - head.length - tail.length;
      response.writeHead(201, { 'content-type': 'application/json' });
      response.write(head);
      const at = finished.push(false) - 1;
      response.on('close', () => (finished[at] = response.writableFinished));
      const more = (): void => {
        while (left > 0 && !response.destroyed) {
          const n = Math.min(left, 64 * 1024);
          left -= n;
          if (!response.write('x'.repeat(n))) return void response.once('drain', more);
        }
        if (!response.destroyed) response.end(tail);
      };
      more();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses an answer past MAX_AGENCY_ANSWER_BYTES as bad_response, without reading the rest of it, and the next call goes through', async () => {
    const agency = restAgencyDefinition({ code: 'nrb' });
    const adapter = createRestAdapter(agency, { env: {}, endpointOverride: url });
    try {
      answerBytes = 16 * MiB;
      const refused = await adapter.submit(agencyRequest(), callContext(agency, 10_000)).catch((error: unknown) => error);
      answerBytes = MAX_AGENCY_ANSWER_BYTES;
      const atTheCap = await adapter.submit(agencyRequest(), callContext(agency, 10_000));

      expect(refused).toMatchObject({ code: 'bad_response', reason: `answer larger than ${MAX_AGENCY_ANSWER_BYTES} bytes` });
      await until(() => finished.length === 2 && finished[1], 'both answers to end');
      expect(finished).toEqual([false, true]);
      expect(atTheCap).toMatchObject({ kind: 'accepted', agencyRef: 'NRB-BIG' });
    } finally {
      await adapter.close();
    }
  });
});

describe('REST adapter against an agency whose answer is not well-formed HTTP', () => {
  let server: NetServer;
  let url: string;
  /** What the agency writes back, raw, before it closes the connection. */
  let answer = '';

  beforeAll(async () => {
    server = createNetServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end(answer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  // Before undici, node:http's parser errors (HPE_*) were bad_response; undici's HTTPParserError carries no code.
  it.each([
    ['a status line that is not HTTP', 'SSH-2.0-OpenSSH_9.6\r\n\r\n'],
    ['a header name with a space in it', 'HTTP/1.1 201 Created\r\nBad Header: x\r\nContent-Length: 2\r\n\r\n{}'],
    ['a chunk size that is not hex', 'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'],
  ])('answers bad_response to %s, not unavailable', async (_what, raw) => {
    answer = raw;
    const agency = restAgencyDefinition({ code: 'nrb' });
    const adapter = createRestAdapter(agency, { env: {}, endpointOverride: url });
    try {
      const failure = await adapter.submit(agencyRequest(), callContext(agency, 10_000)).catch((error: unknown) => error);

      expect(failure).toMatchObject({ code: 'bad_response', reason: 'unreadable answer (HTTP parser error)' });
    } finally {
      await adapter.close();
    }
  });
});

describe('REST adapter headers, as the agency receives them', () => {
  let server: Server;
  let url: string;
  /** The raw header lines of the last request, as [name, value]. */
  let received: Array<[string, string]> = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      received = [];
      for (let i = 0; i < request.rawHeaders.length; i += 2) received.push([request.rawHeaders[i], request.rawHeaders[i + 1]]);
      request.resume();
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end('{"reference":"NRB-H"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const valuesOf = (name: string): string[] => received.filter(([n]) => n.toLowerCase() === name).map(([, value]) => value);

  // HTTP header names are case-insensitive; undici sends `accept` and `Accept` as two headers, axios merged them.
  it('sends each header once when the agency file names one in another case, ours and the credentials winning as before', async () => {
    const agency = restAgencyDefinition({
      code: 'nrb',
      adapter: {
        headers: { accept: 'text/html', 'content-type': 'text/plain', 'idempotency-key': 'from-file', 'x-api-key': 'from-file', 'X-Agency-Client': 'kiungo' },
        auth: { type: 'api-key', header: 'X-API-Key', keyEnv: 'NRB_KEY' },
      },
    });
    const adapter = createRestAdapter(agency, { env: { NRB_KEY: 'k-1' }, endpointOverride: url });
    try {
      await adapter.submit(agencyRequest({ transactionId: 'tx-headers-1' }), callContext(agency, 10_000));

      expect(valuesOf('accept')).toEqual(['application/json']);
      expect(valuesOf('content-type')).toEqual(['application/json']);
      expect(valuesOf('idempotency-key')).toEqual(['tx-headers-1']);
      expect(valuesOf('x-api-key')).toEqual(['k-1']);
      expect(valuesOf('x-agency-client')).toEqual(['kiungo']);
      // undici names no software of its own; axios sent `axios/<version>`. Ours goes unless the file names another.
      expect(valuesOf('user-agent')).toEqual([`Kiungo/${version}`]);
    } finally {
      await adapter.close();
    }
  });

  it("sends the agency file's own User-Agent instead of ours", async () => {
    const agency = restAgencyDefinition({ code: 'nrb', adapter: { headers: { 'user-agent': 'HudumaGateway/2' } } });
    const adapter = createRestAdapter(agency, { env: {}, endpointOverride: url });
    try {
      await adapter.submit(agencyRequest({ transactionId: 'tx-headers-2' }), callContext(agency, 10_000));
      expect(valuesOf('user-agent')).toEqual(['HudumaGateway/2']);
    } finally {
      await adapter.close();
    }
  });

  // axios sent a base URL's user and password as Basic credentials; undici's pool is opened on the origin alone.
  it('sends the user and password of a base URL from the environment as Basic credentials, decoded', async () => {
    const agency = restAgencyDefinition({ code: 'nrb', adapter: { baseUrlEnv: 'NRB_BASE_URL' } });
    const withCredentials = url.replace('http://', 'http://kiungo:p%40ss%3Aword@');
    const adapter = createRestAdapter(agency, { env: { NRB_BASE_URL: withCredentials } });
    try {
      await adapter.submit(agencyRequest(), callContext(agency, 10_000));

      expect(valuesOf('authorization')).toEqual([`Basic ${Buffer.from('kiungo:p@ss:word').toString('base64')}`]);
    } finally {
      await adapter.close();
    }
  });
});
