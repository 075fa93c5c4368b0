/**
 * Turns a REST agency config plus the environment into what axios needs: the endpoint,
 * the static and auth headers, and keep-alive agents (with the client certificate for mTLS).
 * Secrets are read here, once, from the environment variables the agency file names; a
 * missing variable or unreadable file is a configuration fault named by the VARIABLE, never
 * by its value.
 */
import http from 'node:http';
import https from 'node:https';
import { AgencyCallError, type AdapterFactoryOptions } from '../agency-adapter.port';
import { resolveAgencyUrl } from '../agency-url';
import { readClientCertificate, secret } from '../env-secrets';
import type { RestAgencyConfig, RestAuth } from './rest-config';

export interface RestConnection {
  baseUrl: string;
  headers: Record<string, string>;
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
}

export function openRestConnection(
  agencyCode: string,
  config: RestAgencyConfig,
  maxSockets: number,
  opts: AdapterFactoryOptions,
): RestConnection {
  const baseUrl = resolveBaseUrl(agencyCode, config, opts);
  const tls = config.auth.type === 'mtls' ? readClientCertificate(config.auth, opts.env) : {};
  const agentOptions = { keepAlive: true, maxSockets };
  return {
    baseUrl,
    headers: { ...config.headers, ...authHeaders(config.auth, opts.env) },
    httpAgent: new http.Agent(agentOptions),
    httpsAgent: new https.Agent({ ...agentOptions, ...tls }),
  };
}

function resolveBaseUrl(agencyCode: string, config: RestAgencyConfig, opts: AdapterFactoryOptions): string {
  const httpsFor = config.auth.type === 'mtls' ? 'mTLS' : undefined;
  const baseUrl = resolveAgencyUrl(agencyCode, { what: 'base URL', configured: config.baseUrl, envName: config.baseUrlEnv, httpsFor }, opts);
  if (!baseUrl) {
    throw new AgencyCallError('misconfigured', `agency ${agencyCode}: environment variable ${config.baseUrlEnv} is not set and no baseUrl is given`);
  }
  return baseUrl;
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
