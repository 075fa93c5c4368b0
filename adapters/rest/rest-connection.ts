/**
 * Turns a REST agency config plus the environment into what the HTTP client needs: the origin
 * and path prefix, the static and auth headers, and one undici pool of keep-alive connections
 * (with the client certificate for mTLS). Secrets are read here, once, from the environment
 * variables the agency file names; a missing variable or unreadable file is a configuration
 * fault named by the VARIABLE, never by its value.
 */
import { Pool, type Dispatcher } from 'undici';
import { MAX_AGENCY_ANSWER_BYTES } from '../../contracts/src/catalogue.defaults';
import { AgencyCallError, NOT_SENT, type AdapterFactoryOptions } from '../agency-adapter.port';
import { resolveAgencyUrl } from '../agency-url';
import { readClientCertificate, secret } from '../env-secrets';
import type { RestAgencyConfig, RestAuth } from './rest-config';

export interface RestConnection {
  /** `http(s)://host:port` of the agency. */
  origin: string;
  /** The base URL's path without its trailing slash ('' for none): every request path goes under it. */
  pathPrefix: string;
  headers: Record<string, string>;
  dispatcher: Dispatcher;
  /** Closes the pool this connection opened (not a dispatcher handed in). */
  close(): Promise<void>;
}

/** How long an idle keep-alive socket is kept (undici's default is 4 s; agencies' servers usually keep 5 s or more). */
const KEEP_ALIVE_MS = 4_000;

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
  const own = opts.httpDispatcher
    ? undefined
    : new Pool(baseUrl.origin, { connections, pipelining: 1, keepAliveTimeout: KEEP_ALIVE_MS, maxResponseSize: MAX_AGENCY_ANSWER_BYTES, connect: { ...tls } });
  return {
    origin: baseUrl.origin,
    pathPrefix: baseUrl.pathname.replace(/\/+$/, ''),
    headers,
    dispatcher: own ?? opts.httpDispatcher!,
    close: async () => {
      await own?.destroy();
    },
  };
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
  if (!url.username && !url.password) return {};
  const credentials = `${decoded(url.username)}:${decoded(url.password)}`;
  return { Authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` };
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
