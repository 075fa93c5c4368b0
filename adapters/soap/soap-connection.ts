/**
 * One SOAP link to one agency: where its WSDL and endpoint are, the WS-Security token and the
 * client certificate (read once, from the environment variables the agency file names), keep-
 * alive agents sized to the bulkhead, and the node-soap client, created lazily on first use and
 * then cached. A WSDL that cannot be loaded is a configuration fault of the CALL (`misconfigured`),
 * not of the boot: the next call tries again, so fixing the agency's WSDL server needs no restart.
 */
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import axios, { type AxiosInstance } from 'axios';
import { createClientAsync, WSSecurity, type Client } from 'soap';
import { AgencyCallError, type AdapterFactoryOptions, type ProbeContext } from '../agency-adapter.port';
import { resolveAgencyUrl } from '../agency-url';
import { readClientCertificate, secret } from '../env-secrets';
import { transportFailure } from '../rest/rest-outcome';
import type { SoapAgencyConfig, SoapSecurity } from './soap-config';
import { XSD_DATE_DESERIALIZERS } from './xsd-dates';

/** Agency answers and WSDLs are small documents; anything bigger is a fault, not a result. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export class SoapConnection {
  /** Where the WSDL is: an absolute file path or a URL. */
  readonly wsdlLocation: string;
  /** The endpoint that replaces the WSDL's soap:address; undefined = trust the WSDL. */
  readonly endpoint?: string;
  readonly http: AxiosInstance;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly security?: WSSecurity;
  private loading?: Promise<Client>;

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
    this.http = axios.create({
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      maxRedirects: 0,
      maxContentLength: MAX_BODY_BYTES,
      maxBodyLength: MAX_BODY_BYTES,
    });
  }

  /** The cached client; the first caller loads the WSDL (bounded by its own deadline). */
  async client(ctx: ProbeContext): Promise<Client> {
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

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async load(timeoutMs: number): Promise<Client> {
    try {
      const client = await createClientAsync(
        this.wsdlLocation,
        {
          request: this.http,
          wsdl_options: { timeout: timeoutMs },
          disableCache: true,
          customDeserializer: { ...XSD_DATE_DESERIALIZERS },
          ...(this.endpoint && { endpoint: this.endpoint }),
        },
        this.endpoint,
      );
      if (this.security) client.setSecurity(this.security);
      return client;
    } catch (error) {
      throw wsdlFailure(this.agencyCode, this.wsdlLocation, error);
    }
  }
}

function resolveEndpoint(agencyCode: string, config: SoapAgencyConfig, opts: AdapterFactoryOptions): string | undefined {
  const httpsFor = config.tls ? 'a client certificate' : undefined;
  return resolveAgencyUrl(agencyCode, { what: 'SOAP endpoint', configured: config.endpoint, envName: config.endpointEnv, httpsFor }, opts);
}

function usernameToken(security: SoapSecurity, env: NodeJS.ProcessEnv): WSSecurity | undefined {
  if (security.type === 'none') return undefined;
  const digest = security.passwordType === 'digest';
  return new WSSecurity(secret(env, security.usernameEnv), secret(env, security.passwordEnv), {
    passwordType: digest ? 'PasswordDigest' : 'PasswordText',
    hasNonce: digest,
    hasTimeStamp: true,
  });
}

/** Names the WSDL and the error code, never the WSDL's content or a response body. */
function wsdlFailure(agencyCode: string, location: string, error: unknown): AgencyCallError {
  const where = /^https?:\/\//.test(location) ? new URL(location).origin + new URL(location).pathname : path.basename(location);
  const status = (error as { response?: { status?: unknown } } | null)?.response?.status;
  const code = typeof status === 'number' ? `HTTP ${status}` : errorCode(error);
  return new AgencyCallError('misconfigured', `agency ${agencyCode}: the WSDL ${where} could not be loaded (${code})`);
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
