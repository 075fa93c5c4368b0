/**
 * Turns a REST agency config plus the environment into what the HTTP client needs: the origin
 * and path prefix, the static and auth headers, and one undici pool of keep-alive connections
 * (with the client certificate for mTLS). Secrets are read here, once, from the environment
 * variables the agency file names; a missing variable or unreadable file is a configuration
 * fault named by the VARIABLE, never by its value.
 */
import { buildConnector, Pool, ProxyAgent, type Dispatcher } from 'undici';
import type { ConnectionOptions } from 'node:tls';
import { MAX_AGENCY_ANSWER_BYTES } from '../../contracts/src/catalogue.defaults';
import { AgencyCallError, NOT_SENT, type AdapterFactoryOptions } from '../agency-adapter.port';
import { resolveAgencyUrl } from '../agency-url';
import { EgressProxyError, egressProxyFor, type EgressProxy } from '../egress-proxy';
import { readClientCertificate, secret } from '../env-secrets';
import type { RestAgencyConfig, RestAuth } from './rest-config';

export interface RestConnection {
  /** `http(s)://host:port` of the agency. */
  origin: string;
  /** The base URL's path without its trailing slash ('' for none): every request path goes under it. */
  pathPrefix: string;
  headers: Record<string, string>;
  dispatcher: Dispatcher;
  /** The egress proxy the dispatcher goes through (egress-proxy.ts), without credentials; undefined when direct. */
  proxy?: string;
  /** Closes the pool this connection opened (not a dispatcher handed in). */
  close(): Promise<void>;
}

/** How long an idle keep-alive socket is kept (undici's default is 4 s; agencies' servers usually keep 5 s or more). */
const KEEP_ALIVE_MS = 4_000;

/** undici's own connectTimeout: how long a socket, or a CONNECT tunnel through the egress proxy, may take to open. */
const CONNECT_TIMEOUT_MS = 10_000;

export function openRestConnection(
  agencyCode: string,
  config: RestAgencyConfig,
  connections: number,
  opts: AdapterFactoryOptions,
): RestConnection {
  const baseUrl = new URL(resolveBaseUrl(agencyCode, config, opts));
  const tls = config.auth.type === 'mtls' ? readClientCertificate(config.auth, opts.env) : {};
  const headers = mergeHeaders(mergeHeaders(urlCredentials(baseUrl), config.headers), authHeaders(config.auth, opts.env));
  // A body past MAX_AGENCY_ANSWER_BYTES fails its read (undici's maxResponseSize) and its socket is
  // destroyed, so the rest of it is never downloaded; rest-outcome.ts names the failure.
  const pool: Pool.Options = { connections, pipelining: 1, keepAliveTimeout: KEEP_ALIVE_MS, maxResponseSize: MAX_AGENCY_ANSWER_BYTES };
  const proxy = opts.httpDispatcher ? undefined : egressProxyFor(baseUrl, opts.env);
  const own = opts.httpDispatcher
    ? undefined
    : proxy
      ? proxyDispatcher(baseUrl, proxy, pool, tls)
      : new Pool(baseUrl.origin, { ...pool, connect: { ...tls } });
  return {
    origin: baseUrl.origin,
    pathPrefix: baseUrl.pathname.replace(/\/+$/, ''),
    headers,
    dispatcher: own ?? opts.httpDispatcher!,
    proxy: proxy?.shown,
    close: async () => {
      await own?.destroy();
    },
  };
}

/**
 * The agency through its egress proxy, with the same pool (size, keep-alive, answer cap) as a
 * direct connection. https: a CONNECT tunnel (undici's ProxyAgent), the agency's TLS (its CA, the
 * client certificate for mTLS) applied to the origin inside it. http: each request sent to the
 * proxy in absolute form, as axios sent it (proxies commonly allow CONNECT to port 443 only), so
 * that the proxy's 407 is an answer rest-outcome.ts reads, not ProxyAgent's InvalidArgumentError.
 * The proxy URL's user and password go out as Proxy-Authorization. A proxy that cannot be reached
 * or refuses the tunnel fails the call with EgressProxyError, which rest-outcome.ts maps.
 */
function proxyDispatcher(baseUrl: URL, proxy: EgressProxy, pool: Pool.Options, tls: ConnectionOptions): Dispatcher {
  if (baseUrl.protocol !== 'https:') return forwardingDispatcher(baseUrl, proxy, pool);
  const credentials = basicOf(proxy.url);
  return new ProxyAgent({
    uri: proxy.url.href,
    // Given, so that a user without a password goes out too, decoded as for a forwarding proxy.
    ...(credentials && { token: credentials }),
    proxyTunnel: true,
    requestTls: { ...tls },
    // A CONNECT the proxy takes but never answers fails as a socket that never opens does (undici's
    // connectTimeout), not after the default 300 s: the call's deadline cannot reach a connect.
    clientFactory: (origin, options) => tunnelClient(new Pool(origin, { ...options, headersTimeout: CONNECT_TIMEOUT_MS })),
    // The pool to the agency, whose sockets ProxyAgent's connect opens through the tunnel.
    factory: (origin, options) => new Pool(origin, { ...pool, connect: (options as Pool.Options).connect }),
  });
}

/** One pool of keep-alive connections to the proxy, each request's path the agency's absolute URL. */
function forwardingDispatcher(baseUrl: URL, proxy: EgressProxy, pool: Pool.Options): Dispatcher {
  const proxyOrigin = proxy.url.origin;
  const credentials = proxyAuthorization(proxy.url);
  const toProxy = new Pool(proxyOrigin, { ...pool, connect: reachingProxy(buildConnector({})) });
  return toProxy.compose((dispatch) => (options, handler) =>
    dispatch(
      {
        ...options,
        origin: proxyOrigin,
        path: `${baseUrl.origin}${options.path}`,
        headers: { ...(options.headers as Record<string, string>), host: baseUrl.host, ...credentials },
      },
      handler,
    ),
  );
}

/** The proxy URL's user and password as Basic Proxy-Authorization. */
function proxyAuthorization(url: URL): Record<string, string> {
  const basic = basicOf(url);
  return basic ? { 'proxy-authorization': basic } : {};
}

/** The proxy client of a tunnel: a CONNECT the proxy cannot take or refuses is an EgressProxyError. */
function tunnelClient(client: Pool): Pool {
  const connect = client.connect.bind(client) as (options: Dispatcher.ConnectOptions) => Promise<Dispatcher.ConnectData>;
  const viaProxy = async (options: Dispatcher.ConnectOptions): Promise<Dispatcher.ConnectData> => {
    let answer: Dispatcher.ConnectData;
    try {
      answer = await connect(options);
    } catch (error) {
      throw options.signal && (options.signal as AbortSignal).aborted ? error : EgressProxyError.unreachable(error);
    }
    if (answer.statusCode !== 200) {
      answer.socket.on('error', () => undefined).destroy();
      throw EgressProxyError.refused(answer.statusCode);
    }
    return answer;
  };
  return Object.assign(client, { connect: viaProxy });
}

/** The socket to a forwarding proxy: failing to open it is an EgressProxyError. */
function reachingProxy(connect: buildConnector.connector): buildConnector.connector {
  return (options, callback) => connect(options, (error, socket) => (error ? callback(EgressProxyError.unreachable(error), null) : callback(null, socket!)));
}

/**
 * `over` laid on `base` as HTTP reads header names, case-insensitively: a name in `over` drops
 * `base`'s in any case. undici sends `accept` and `Accept` as two headers (axios merged them),
 * so the agency file's `content-type` or `idempotency-key` would go out beside ours.
 */
export function mergeHeaders(base: Readonly<Record<string, string>>, over: Readonly<Record<string, string>>): Record<string, string> {
  const overNames = Object.keys(over).map((name) => name.toLowerCase());
  const merged: Record<string, string> = {};
  for (const name of Object.keys(base)) {
    if (!overNames.includes(name.toLowerCase())) merged[name] = base[name];
  }
  for (const name of Object.keys(over)) merged[name] = over[name];
  return merged;
}

function resolveBaseUrl(agencyCode: string, config: RestAgencyConfig, opts: AdapterFactoryOptions): string {
  const httpsFor = config.auth.type === 'mtls' ? 'mTLS' : undefined;
  const baseUrl = resolveAgencyUrl(agencyCode, { what: 'base URL', configured: config.baseUrl, envName: config.baseUrlEnv, httpsFor }, opts);
  if (!baseUrl) {
    throw new AgencyCallError('misconfigured', `agency ${agencyCode}: environment variable ${config.baseUrlEnv} is not set and no baseUrl is given`, NOT_SENT);
  }
  return baseUrl;
}

/**
 * A base URL's user and password (from its environment variable, say) as Basic credentials, as
 * axios sent them: the pool is opened on the origin alone, which drops them. The auth block's
 * own Authorization wins over these.
 */
function urlCredentials(url: URL): Record<string, string> {
  const basic = basicOf(url);
  return basic ? { Authorization: basic } : {};
}

/** A URL's user and password, percent-decoded, as a Basic credential; undefined without either. */
function basicOf(url: URL): string | undefined {
  if (!url.username && !url.password) return undefined;
  const credentials = `${decoded(url.username)}:${decoded(url.password)}`;
  return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
}

function decoded(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}

function authHeaders(auth: RestAuth, env: NodeJS.ProcessEnv): Record<string, string> {
  switch (auth.type) {
    case 'bearer':
      return { Authorization: `Bearer ${secret(env, auth.tokenEnv)}` };
    case 'basic': {
      const credentials = `${secret(env, auth.usernameEnv)}:${secret(env, auth.passwordEnv)}`;
      return { Authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` };
    }
    case 'api-key':
      return { [auth.header]: secret(env, auth.keyEnv) };
    case 'none':
    case 'mtls':
      return {};
  }
}
