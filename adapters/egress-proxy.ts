/**
 * Which egress proxy, if any, an agency's origin is reached through: HTTPS_PROXY (https_proxy) for
 * an https origin, HTTP_PROXY (http_proxy) for an http one, the lowercase form winning as curl and
 * axios read them, unless NO_PROXY (no_proxy) names the host. Decided once, when an adapter opens
 * its connection, from the agency environment it is handed (AdapterFactoryOptions.env).
 *
 * NO_PROXY: a comma- or space-separated list; an entry matches its host and every subdomain
 * (`example.go.ke`, `.example.go.ke` and `*.example.go.ke` alike); `host:port` matches that port
 * only; `*` alone means no proxy at all. Hosts are compared as written (no DNS, no CIDR).
 *
 * Read here rather than by undici's EnvHttpProxyAgent, which reads process.env itself, decides per
 * request behind a private method, and reaches unproxied origins through an Agent, not the pool
 * the adapter sizes and caps.
 */
import { AgencyCallError, NOT_SENT } from './agency-adapter.port';

export interface EgressProxy {
  /** The proxy, credentials included: for the HTTP client only, never for a log or message. */
  url: URL;
  /** The variable it came from (`HTTPS_PROXY`, `http_proxy`, …), for messages. */
  variable: string;
  /** `scheme://host:port` of the proxy, without credentials: what logs and reasons may show. */
  shown: string;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/** The proxy for `origin`, or undefined when the environment names none or NO_PROXY exempts it. */
export function egressProxyFor(origin: URL, env: NodeJS.ProcessEnv): EgressProxy | undefined {
  const scheme = origin.protocol === 'https:' ? 'https' : 'http';
  const variable = [`${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`].find((name) => (env[name] ?? '').trim() !== '');
  if (variable === undefined) return undefined;
  if (exempt(origin, env.no_proxy ?? env.NO_PROXY ?? '')) return undefined;
  const url = proxyUrl(env[variable]!.trim(), variable);
  return { url, variable, shown: `${url.protocol}//${url.host}` };
}

/** Whether NO_PROXY names the origin's host (and port, when the entry gives one). */
function exempt(origin: URL, noProxy: string): boolean {
  const list = noProxy.trim().toLowerCase();
  if (list === '') return false;
  if (list === '*') return true;
  // Brackets kept around an IPv6 address, as NO_PROXY writes them.
  const host = origin.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number.parseInt(origin.port, 10) || DEFAULT_PORTS[origin.protocol] || 0;
  return list.split(/[,\s]+/).some((entry) => {
    if (entry === '') return false;
    const withPort = /^(.+):(\d+)$/.exec(entry);
    if (withPort && Number.parseInt(withPort[2], 10) !== port) return false;
    const name = (withPort ? withPort[1] : entry).replace(/^\*?\./, '');
    return name !== '' && (host === name || host.endsWith(`.${name}`));
  });
}

/** `proxy.example:3128` without a scheme is taken as http://, as curl does. */
function proxyUrl(value: string, variable: string): URL {
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `http://${value}`);
  } catch {
    throw new AgencyCallError('misconfigured', `environment variable ${variable} is not a URL`, NOT_SENT);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AgencyCallError('misconfigured', `environment variable ${variable} names a ${url.protocol.slice(0, -1)} proxy; only http and https proxies are supported`, NOT_SENT);
  }
  return url;
}

/**
 * The egress proxy failed a call before the agency saw it: it could not be reached (`code`, a
 * socket or TLS error code) or it answered the CONNECT with `status` (407: our proxy credentials;
 * 403: its policy; 502/503/504: it could not reach the agency). Thrown into the HTTP client by the
 * adapter's own connector and mapped to an outcome by the adapter; it carries codes only.
 */
export class EgressProxyError extends Error {
  private constructor(
    readonly status: number | undefined,
    readonly errorCode: string | undefined,
  ) {
    super(status === undefined ? `egress proxy unreachable (${errorCode ?? 'UNKNOWN'})` : `egress proxy answered the CONNECT with HTTP ${status}`);
    this.name = 'EgressProxyError';
  }

  static refused(status: number): EgressProxyError {
    return new EgressProxyError(status, undefined);
  }

  static unreachable(error: unknown): EgressProxyError {
    const code = (error as { code?: unknown } | null)?.code;
    return new EgressProxyError(undefined, typeof code === 'string' && /^[A-Z0-9_]{2,64}$/.test(code) ? code : undefined);
  }
}
