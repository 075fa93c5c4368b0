/**
 * One SOAP link to one agency: where its WSDL and endpoint are, the WS-Security token and the
 * client certificate (read once, from the environment variables the agency file names), keep-
 * alive agents sized to the bulkhead, and the node-soap client, created lazily on first use and
 * then cached. A WSDL that cannot be loaded is a configuration fault of the CALL (`misconfigured`),
 * not of the boot: the next call tries again, so fixing the agency's WSDL server needs no restart.
 *
 * node-soap and axios are loaded with that first client, not with this module: with lodash,
 * xml-crypto, xpath and xmldom they are ~6 MiB of heap that a process which never calls a SOAP
 * agency (the api of a deployment whose SOAP agencies are only replayed, a test) never needs.
 */
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { AxiosInstance } from 'axios';
import type { Client } from 'soap';
import { MAX_AGENCY_ANSWER_BYTES } from '../../contracts/src/catalogue.defaults';
import { AgencyCallError, NOT_SENT, type AdapterFactoryOptions, type ProbeContext } from '../agency-adapter.port';
import { resolveAgencyUrl } from '../agency-url';
import { readClientCertificate, secret } from '../env-secrets';
import { transportFailure } from '../rest/rest-outcome';
import type { SoapAgencyConfig, SoapSecurity } from './soap-config';
import { XSD_DATE_DESERIALIZERS } from './xsd-dates';

/**
 * What is not an agency's answer keeps a bound of its own: a WSDL (its schemas often inline, larger
 * than any answer; fetched at the first call and by the health probe) and what we send (the
 * citizen's payload, up to the api's body limit, in an envelope). Answers: MAX_AGENCY_ANSWER_BYTES.
 */
export const MAX_WSDL_OR_REQUEST_BYTES = 4 * 1024 * 1024;

/** node-soap and axios, loaded at the first client of any SOAP agency, once per process. */
const loadSoapStack = () => Promise.all([import('soap'), import('axios')]);

/** The WS-Security UsernameToken's fields, read from the environment at boot. */
interface UsernameToken {
  username: string;
  password: string;
  digest: boolean;
}

/** What the first call loads: the node-soap client and the axios instance it sends through. */
interface LoadedLink {
  client: Client;
  http: AxiosInstance;
}

export class SoapConnection {
  /** Where the WSDL is: an absolute file path or a URL. */
  readonly wsdlLocation: string;
  /** The endpoint that replaces the WSDL's soap:address; undefined = trust the WSDL. */
  readonly endpoint?: string;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly security?: UsernameToken;
  private loading?: Promise<LoadedLink>;

  constructor(
    private readonly agencyCode: string,
    folder: string,
    config: SoapAgencyConfig,
    maxSockets: number,
    opts: AdapterFactoryOptions,
  ) {
    this.wsdlLocation = /^https?:\/\//.test(config.wsdl) ? config.wsdl : path.resolve(folder, config.wsdl);
    this.endpoint = resolveEndpoint(agencyCode, config, opts);
    this.security = usernameToken(config.security, opts.env);
    const tls = config.tls ? readClientCertificate(config.tls, opts.env) : {};
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets, ...tls });
  }

  /** The cached client; the first caller loads the WSDL (bounded by its own deadline). */
  async client(ctx: ProbeContext): Promise<Client> {
    return (await this.loaded(ctx)).client;
  }

  /** The axios instance on this link's agents and limits (the health probe's `?wsdl`); loads the client first. */
  async http(ctx: ProbeContext): Promise<AxiosInstance> {
    return (await this.loaded(ctx)).http;
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async loaded(ctx: ProbeContext): Promise<LoadedLink> {
    this.loading ??= this.load(ctx.timeoutMs);
    const loading = this.loading;
    try {
      return await abortable(loading, ctx.signal);
    } catch (error) {
      // A failed load is forgotten so that the next call tries again; an abort of THIS caller is not a failed load.
      if (!ctx.signal.aborted && this.loading === loading) this.loading = undefined;
      if (ctx.signal.aborted) throw transportFailure(error, ctx.signal, ctx.timeoutMs);
      throw error;
    }
  }

  private async load(timeoutMs: number): Promise<LoadedLink> {
    const [{ createClientAsync, WSSecurity }, { default: axios }] = await loadSoapStack();
    const http = axios.create({
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      maxRedirects: 0,
      // An answer past it fails as axios reads it (the socket destroyed, the rest unread); soap-outcome.ts names the failure.
      maxContentLength: MAX_AGENCY_ANSWER_BYTES,
      maxBodyLength: MAX_WSDL_OR_REQUEST_BYTES,
    });
    try {
      const client = await createClientAsync(
        this.wsdlLocation,
        {
          request: http,
          // node-soap hands these to axios for the WSDL and its imports only.
          wsdl_options: { timeout: timeoutMs, maxContentLength: MAX_WSDL_OR_REQUEST_BYTES },
          disableCache: true,
          customDeserializer: { ...XSD_DATE_DESERIALIZERS },
          ...(this.endpoint && { endpoint: this.endpoint }),
        },
        this.endpoint,
      );
      if (this.security) {
        const { username, password, digest } = this.security;
        client.setSecurity(new WSSecurity(username, password, { passwordType: digest ? 'PasswordDigest' : 'PasswordText', hasNonce: digest, hasTimeStamp: true }));
      }
      return { client, http };
    } catch (error) {
      throw wsdlFailure(this.agencyCode, this.wsdlLocation, error);
    }
  }
}

function resolveEndpoint(agencyCode: string, config: SoapAgencyConfig, opts: AdapterFactoryOptions): string | undefined {
  const httpsFor = config.tls ? 'a client certificate' : undefined;
  return resolveAgencyUrl(agencyCode, { what: 'SOAP endpoint', configured: config.endpoint, envName: config.endpointEnv, httpsFor }, opts);
}

/** Read at boot, so that a missing variable fails the start, not the first call. */
function usernameToken(security: SoapSecurity, env: NodeJS.ProcessEnv): UsernameToken | undefined {
  if (security.type === 'none') return undefined;
  return { username: secret(env, security.usernameEnv), password: secret(env, security.passwordEnv), digest: security.passwordType === 'digest' };
}

/** Names the WSDL and the error code, never the WSDL's content or a response body. */
function wsdlFailure(agencyCode: string, location: string, error: unknown): AgencyCallError {
  const where = /^https?:\/\//.test(location) ? new URL(location).origin + new URL(location).pathname : path.basename(location);
  const status = (error as { response?: { status?: unknown } } | null)?.response?.status;
  const code = typeof status === 'number' ? `HTTP ${status}` : errorCode(error);
  return new AgencyCallError('misconfigured', `agency ${agencyCode}: the WSDL ${where} could not be loaded (${code})`, NOT_SENT);
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,64}$/.test(code)) return code;
  return error instanceof Error ? `${error.name}: not a usable WSDL` : 'unknown error';
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
