/**
 * The real REST adapter through a real egress proxy (HTTP_PROXY / HTTPS_PROXY / NO_PROXY), in
 * front of a real http agency and a real https agency that wants a client certificate (mTLS).
 * The proxy takes CONNECT by piping to the target and forwards absolute-URI requests for http.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { AgencyAdapter } from '../../adapters/agency-adapter.port';
import { AgencyRegistry } from '../../adapters/registry';
import { createRestAdapter } from '../../adapters/rest/rest.adapter';
import { MAX_AGENCY_ANSWER_BYTES } from '../../contracts/src/catalogue.defaults';
import { agencyRequest, callContext, restAgencyDefinition } from '../../adapters/testing/agency-fixtures';

const PROXY_USER = 'kiungo';
const PROXY_PASSWORD = 'p@ss:word';
const PROXY_AUTHORIZATION = `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`;

/** A CA, a server certificate for 127.0.0.1 and a client certificate (CN kiungo-client), as files. */
function makeCertificates(dir: string): { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string } {
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Test Agency CA', '-keyout', file('ca.key'), '-out', file('ca.pem'));
  for (const [name, subject, extensions] of [
    ['server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'],
    ['client', '/CN=kiungo-client', 'extendedKeyUsage=clientAuth\n'],
  ]) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`));
    writeFileSync(file(`${name}.ext`), extensions);
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file(`${name}.ext`), '-out', file(`${name}.pem`));
  }
  return { ca: file('ca.pem'), serverCert: file('server.pem'), serverKey: file('server.key'), clientCert: file('client.pem'), clientKey: file('client.key') };
}

interface ProxySeen {
  /** CONNECT targets, with the Proxy-Authorization that came with each. */
  tunnels: Array<{ target: string; authorization?: string }>;
  /** Absolute-URI requests forwarded, with their Proxy-Authorization. */
  forwarded: Array<{ url: string; authorization?: string }>;
}

async function listen(server: Server | HttpsServer | NetServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function stop(server: Server | HttpsServer): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

describe('REST adapter through an egress proxy', () => {
  let dir: string;
  let certificates: ReturnType<typeof makeCertificates>;
  let httpAgency: Server;
  let httpsAgency: HttpsServer;
  let proxy: Server;
  let httpUrl: string;
  let httpsUrl: string;
  let proxyPort: number;
  /** What the agencies saw: the client certificate's CN over https, '-' over http. */
  const agencySaw: string[] = [];
  const seen: ProxySeen = { tunnels: [], forwarded: [] };
  /** What the proxy answers a CONNECT or request with instead of passing it on (407 when the credentials are wrong). */
  let refuseWith: number | undefined;
  let adapter: AgencyAdapter | undefined;

  /** When set, the agencies pad their answer to this many bytes. */
  let answerBytes: number | undefined;

  const answer = (reference: string, request: IncomingMessage, response: import('node:http').ServerResponse): void => {
    request.resume();
    response.writeHead(201, { 'content-type': 'application/json' });
    const body = JSON.stringify({ reference, padding: '' });
    response.end(answerBytes === undefined ? body : body.replace('""', `"${'x'.repeat(answerBytes - body.length)}"`));
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kiungo-proxy-'));
    certificates = makeCertificates(dir);
    httpAgency = createServer((request, response) => {
      agencySaw.push('-');
      answer('NRB-HTTP', request, response);
    });
    httpsAgency = createHttpsServer(
      { key: readFileSync(certificates.serverKey), cert: readFileSync(certificates.serverCert), ca: readFileSync(certificates.ca), requestCert: true, rejectUnauthorized: true },
      (request, response) => {
        agencySaw.push(String((request.socket as TLSSocket).getPeerCertificate().subject?.CN));
        answer('NRB-TLS', request, response);
      },
    );
    proxy = createServer((request, response) => {
      const authorization = request.headers['proxy-authorization'];
      seen.forwarded.push({ url: request.url ?? '', authorization });
      const refusal = authorization === PROXY_AUTHORIZATION ? refuseWith : 407;
      if (refusal !== undefined) {
        request.resume();
        response.writeHead(refusal, refusal === 407 ? { 'proxy-authenticate': 'Basic realm="egress"' } : {});
        return void response.end();
      }
      const target = new URL(request.url ?? '');
      const headers = { ...request.headers };
      delete headers['proxy-authorization'];
      delete headers['proxy-connection'];
      const onward = httpRequest({ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: request.method, headers }, (upstream) => {
        response.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(response);
      });
      onward.on('error', () => response.destroy());
      request.pipe(onward);
    });
    proxy.on('connect', (request: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
      const authorization = request.headers['proxy-authorization'];
      seen.tunnels.push({ target: request.url ?? '', authorization });
      socket.on('error', () => undefined);
      const refusal = authorization === PROXY_AUTHORIZATION ? refuseWith : 407;
      if (refusal !== undefined) return void socket.end(`HTTP/1.1 ${refusal} Refused\r\nContent-Length: 0\r\n\r\n`);
      const [host, port] = (request.url ?? '').split(':');
      const upstream = netConnect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
    });
    httpUrl = `http://127.0.0.1:${await listen(httpAgency)}`;
    httpsUrl = `https://127.0.0.1:${await listen(httpsAgency)}`;
    proxyPort = await listen(proxy);
  });
  afterEach(async () => {
    await adapter?.close();
    adapter = undefined;
    agencySaw.length = 0;
    seen.tunnels.length = 0;
    seen.forwarded.length = 0;
    refuseWith = undefined;
    answerBytes = undefined;
  });
  afterAll(async () => {
    await Promise.all([stop(httpAgency), stop(httpsAgency), stop(proxy)]);
    rmSync(dir, { recursive: true, force: true });
  });

  const proxyUrl = (password = PROXY_PASSWORD): string => `http://${PROXY_USER}:${encodeURIComponent(password)}@127.0.0.1:${proxyPort}`;
  const mtlsEnv = (): NodeJS.ProcessEnv => ({ NRB_CERT: certificates.clientCert, NRB_KEY: certificates.clientKey, NRB_CA: certificates.ca });
  const mtlsAgency = restAgencyDefinition({ code: 'nrb', adapter: { auth: { type: 'mtls', certFileEnv: 'NRB_CERT', keyFileEnv: 'NRB_KEY', caFileEnv: 'NRB_CA' } } });
  const plainAgency = restAgencyDefinition({ code: 'nrb' });

  async function submitVia(agency: typeof plainAgency, endpoint: string, env: NodeJS.ProcessEnv): Promise<unknown> {
    adapter = createRestAdapter(agency, { env, endpointOverride: endpoint });
    return adapter.submit(agencyRequest(), callContext(agency, 10_000)).catch((error: unknown) => error);
  }

  it('sends an http agency\'s requests to HTTP_PROXY in absolute form, with the proxy credentials, and names the proxy without them', async () => {
    const outcome = await submitVia(plainAgency, httpUrl, { HTTP_PROXY: proxyUrl() });

    expect(outcome).toMatchObject({ kind: 'accepted', agencyRef: 'NRB-HTTP' });
    expect(seen.forwarded).toEqual([{ url: `${httpUrl}/api/v1/permits`, authorization: PROXY_AUTHORIZATION }]);
    expect(agencySaw).toEqual(['-']);
    expect(adapter!.egressProxy).toBe(`http://127.0.0.1:${proxyPort}`);
  });

  it('tunnels to an mTLS agency through https_proxy with CONNECT, presenting the client certificate inside the tunnel', async () => {
    const outcome = await submitVia(mtlsAgency, httpsUrl, { ...mtlsEnv(), https_proxy: proxyUrl(), HTTP_PROXY: 'http://127.0.0.1:1' });

    expect(outcome).toMatchObject({ kind: 'accepted', agencyRef: 'NRB-TLS' });
    expect(seen.tunnels).toEqual([{ target: httpsUrl.replace('https://', ''), authorization: PROXY_AUTHORIZATION }]);
    expect(agencySaw).toEqual(['kiungo-client']);
  });

  it.each([
    ['the host', () => '127.0.0.1'],
    ['the host and its port', () => `example.go.ke, 127.0.0.1:${new URL(httpsUrl).port}`],
    ['*', () => '*'],
  ])('goes to the agency directly when NO_PROXY names %s, and through the proxy without it', async (_what, noProxy) => {
    const env = { ...mtlsEnv(), HTTPS_PROXY: proxyUrl() };
    const direct = await submitVia(mtlsAgency, httpsUrl, { ...env, NO_PROXY: noProxy() });
    const directProxy = adapter!.egressProxy;
    const tunnelsWhenDirect = seen.tunnels.length;
    await adapter!.close();

    const proxied = await submitVia(mtlsAgency, httpsUrl, env);

    expect(direct).toMatchObject({ kind: 'accepted', agencyRef: 'NRB-TLS' });
    expect(tunnelsWhenDirect).toBe(0);
    expect(directProxy).toBeUndefined();
    expect(proxied).toMatchObject({ kind: 'accepted', agencyRef: 'NRB-TLS' });
    expect(seen.tunnels).toHaveLength(1);
    expect(agencySaw).toEqual(['kiungo-client', 'kiungo-client']);
  });

  // What the runtime logs once at boot (build-runtime.ts): which agency goes through which proxy, without credentials.
  it('lists the agencies the registry reaches through a proxy, without the proxy credentials', async () => {
    const kra = restAgencyDefinition({ code: 'kra', name: 'Revenue Authority' });
    const registry = new AgencyRegistry([plainAgency, kra], {
      env: { HTTP_PROXY: proxyUrl(), NO_PROXY: `127.0.0.1:${new URL(httpsUrl).port}` },
      endpointOverrides: { nrb: httpUrl, kra: httpsUrl.replace('https:', 'http:') },
    });
    try {
      expect(registry.egressProxies()).toEqual({ nrb: `http://127.0.0.1:${proxyPort}` });
    } finally {
      await registry.close();
    }
  });

  it('still goes through the proxy when NO_PROXY names the host on another port', async () => {
    const outcome = await submitVia(plainAgency, httpUrl, { HTTP_PROXY: proxyUrl(), no_proxy: '127.0.0.1:1' });

    expect(outcome).toMatchObject({ kind: 'accepted', agencyRef: 'NRB-HTTP' });
    expect(seen.forwarded).toHaveLength(1);
  });

  // The pool through the proxy is the direct one's: the same answer cap (and size and keep-alive).
  it.each([
    ['https', () => httpsUrl, mtlsAgency],
    ['http', () => httpUrl, plainAgency],
  ])('refuses an answer past MAX_AGENCY_ANSWER_BYTES through the proxy as it does directly (%s agency)', async (_scheme, endpoint, agency) => {
    answerBytes = MAX_AGENCY_ANSWER_BYTES + 1;

    const outcome = await submitVia(agency, endpoint(), { ...mtlsEnv(), HTTP_PROXY: proxyUrl(), HTTPS_PROXY: proxyUrl() });

    expect(outcome).toMatchObject({ code: 'bad_response', reason: `answer larger than ${MAX_AGENCY_ANSWER_BYTES} bytes` });
    expect(seen.tunnels.length + seen.forwarded.length).toBe(1);
  });

  it.each([
    ['https', () => httpsUrl, () => seen.tunnels],
    ['http', () => httpUrl, () => seen.forwarded],
  ])('answers misconfigured when the proxy refuses our credentials with 407 (%s agency)', async (_scheme, endpoint, proxyCalls) => {
    const outcome = await submitVia(plainAgency, endpoint(), { HTTP_PROXY: proxyUrl('wrong'), HTTPS_PROXY: proxyUrl('wrong')});

    expect(outcome).toMatchObject({ code: 'misconfigured', reason: 'the egress proxy refused our credentials (HTTP 407): check the user and password in the proxy URL' });
    expect(proxyCalls()).toHaveLength(1);
    expect(agencySaw).toEqual([]);
  });

  it.each([
    [403, 'misconfigured', 'the egress proxy refused the tunnel to the agency (HTTP 403)'],
    [502, 'unavailable', 'the egress proxy could not reach the agency (HTTP 502)'],
  ])('answers a CONNECT the proxy refuses with %i as %s', async (status, code, reason) => {
    refuseWith = status;

    const outcome = await submitVia(mtlsAgency, httpsUrl, { ...mtlsEnv(), HTTPS_PROXY: proxyUrl() });

    expect(outcome).toEqual(expect.objectContaining({ code, reason }));
    expect(agencySaw).toEqual([]);
  });

  // A CONNECT never answered is bounded like a socket that never opens (10 s), the call's outcome by its deadline.
  it('times out at the call\'s deadline when the proxy never answers the CONNECT', async () => {
    const held: Socket[] = [];
    const silent = createNetServer((socket) => void held.push(socket.on('error', () => undefined)));
    const port = await listen(silent);
    const agency = { ...mtlsAgency, resilience: { ...mtlsAgency.resilience, inlineTimeoutMs: 300 } };
    const registry = new AgencyRegistry([agency], { env: { ...mtlsEnv(), HTTPS_PROXY: `http://127.0.0.1:${port}` }, endpointOverrides: { nrb: httpsUrl } });
    try {
      const outcome = await registry.dispatch('nrb', agencyRequest(), { inline: true });

      expect(outcome).toMatchObject({ kind: 'transient', code: 'timeout', reason: 'no answer within 300 ms' });
      expect(agencySaw).toEqual([]);
    } finally {
      await registry.close();
      held.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it.each([
    ['https', () => httpsUrl, mtlsAgency],
    ['http', () => httpUrl, plainAgency],
  ])('answers unavailable when the proxy cannot be reached (%s agency)', async (_scheme, endpoint, agency) => {
    const closed = createServer();
    const port = await listen(closed);
    await stop(closed);

    const outcome = await submitVia(agency, endpoint(), { ...mtlsEnv(), HTTP_PROXY: `http://127.0.0.1:${port}`, HTTPS_PROXY: `http://127.0.0.1:${port}` });

    expect(outcome).toMatchObject({ code: 'unavailable', reason: 'egress proxy unreachable (ECONNREFUSED)' });
    expect(agencySaw).toEqual([]);
  });
});
