/**
 * The generic REST adapter: configured, not coded (see rest-config.ts for the agency file
 * section). One undici pool of keep-alive connections per agency, sized to the agency's
 * bulkhead so that sockets are reused and stay within the concurrency cap (undici rather than
 * axios over node:http: about a quarter of a millisecond of CPU less per call, issue 13). Every
 * HTTP answer goes to rest-outcome.ts; thrown transport errors are reduced to their code there
 * and never leave this folder. No redirect is followed.
 */
import { version } from '../../package.json';
import type { AgencyDefinition } from '../../contracts/src/catalogue.types';
import type { AgencyHealth, AgencyRequest } from '../../contracts/src/dispatch';
import {
  AgencyCallError, NOT_SENT,
  type AdapterFactory,
  type AdapterFactoryOptions,
  type AgencyAdapter,
  type ApplicationStatus,
  type CallContext,
  type ProbeContext,
  type SubmitResult,
} from '../agency-adapter.port';
import { getByPointer, isRecord } from '../../contracts/src/json-pointer';
import { parseRestAgencyConfig, parseRestOperation, type RestAgencyConfig, type RestOperation } from './rest-config';
import { mergeHeaders, openRestConnection, type RestConnection } from './rest-connection';
import { buildRequestBody, submitOutcome, transportFailure, unsuccessfulStatus, type AgencyResponse } from './rest-outcome';
import { RestAppointments } from './rest-appointments';

/** What the agency sees as the caller's software: Kiungo and its release. */
const USER_AGENT = `Kiungo/${version}`;

export class RestAdapter implements AgencyAdapter {
  readonly kind = 'rest';
  private readonly config: RestAgencyConfig;
  private readonly connection: RestConnection;
  /** The agency's static and auth headers with our Accept: what every request carries. */
  private readonly baseHeaders: Record<string, string>;
  /** Parsed when the agency is loaded, so that a bad operation fails the agency's config, not a citizen's call. */
  private readonly operations = new Map<string, RestOperation>();
  /** The agency's own appointment system, when its file declares one. */
  readonly appointments?: RestAppointments;
  readonly egressProxy?: string;

  constructor(
    private readonly agency: AgencyDefinition,
    opts: AdapterFactoryOptions,
  ) {
    this.config = parseRestAgencyConfig(agency.adapter);
    for (const service of agency.services) {
      this.operations.set(service.code, parseRestOperation(service.operation));
    }
    // One socket per bulkhead slot, plus one so a health or status probe never queues behind slow submissions.
    this.connection = openRestConnection(agency.code, this.config, agency.resilience.concurrency + 1, opts);
    // Ours under the file's (an agency that wants another User-Agent names it there): undici sends none,
    // and gateways and WAFs in front of agency systems refuse or flag a request without one.
    this.baseHeaders = mergeHeaders(mergeHeaders({ 'User-Agent': USER_AGENT }, this.connection.headers), { Accept: 'application/json' });
    this.egressProxy = this.connection.proxy;
    if (this.config.appointments) this.appointments = new RestAppointments(this.config.appointments, this.config, (ctx, request) => this.send(ctx, request));
  }

  async submit(req: AgencyRequest, ctx: CallContext): Promise<SubmitResult> {
    const operation = this.operations.get(ctx.service.code);
    if (!operation) {
      throw new AgencyCallError('misconfigured', `service ${ctx.service.code} has no REST operation at agency ${this.agency.code}`, NOT_SENT);
    }
    const response = await this.send(ctx, {
      method: operation.method,
      url: operation.path,
      data: buildRequestBody(req.payload, operation),
      headers: {
        'Content-Type': 'application/json',
        [this.config.idempotencyHeader]: req.transactionId,
        [this.config.correlationHeader]: req.correlationId ?? req.transactionId,
        // No traceparent of ours (ctx.traceparent): with tracing on, undici's instrumentation
        // (gateway/src/tracing) sends the agency call's own span as the parent; two would clash.
      },
    });
    return submitOutcome(response, operation, this.config.businessRejectStatuses);
  }

  async status(agencyRef: string, ctx: ProbeContext): Promise<ApplicationStatus> {
    if (!this.config.statusPath) {
      throw new AgencyCallError('misconfigured', `agency ${this.agency.code} has no statusPath`, NOT_SENT);
    }
    const url = this.config.statusPath.replace('{agencyRef}', encodeURIComponent(agencyRef));
    const { status, data } = await this.send(ctx, { method: 'GET', url });
    if (status === 404) return { kind: 'not_found', agencyRef };
    if (status < 200 || status >= 300) throw unsuccessfulStatus(status);
    if (!isRecord(data)) throw new AgencyCallError('bad_response', `HTTP ${status} without a JSON object body`);
    const state = getByPointer(data, '/status');
    return { kind: 'found', agencyRef, state: typeof state === 'string' && state !== '' ? state : 'unknown', result: data };
  }

  /**
   * With a `healthPath`, up means a 2xx from it. Without one, any answer below 500 from the
   * base URL proves the agency is reachable, which is all we can know.
   */
  async health(ctx: ProbeContext): Promise<AgencyHealth> {
    const started = performance.now();
    const latency = (): number => Math.round(performance.now() - started);
    try {
      const { status } = await this.send(ctx, { method: 'GET', url: this.config.healthPath ?? '' });
      const up = this.config.healthPath ? status >= 200 && status < 300 : status < 500;
      if (status === 401 || status === 403) return { up: false, latencyMs: latency(), detail: `credentials refused (HTTP ${status})` };
      return { up, latencyMs: latency(), detail: `HTTP ${status}` };
    } catch (error) {
      const failure = error instanceof AgencyCallError ? error : transportFailure(error, ctx.signal, ctx.timeoutMs);
      return { up: false, latencyMs: latency(), detail: `${failure.code}: ${failure.reason}` };
    }
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /**
   * One HTTP exchange, aborted when `ctx.signal` fires: at the deadline, which the port promises
   * (ProbeContext), so no timer here. The body is read whole (at most MAX_AGENCY_ANSWER_BYTES) and parsed
   * as JSON when it is JSON; otherwise `data` is the text, which no outcome reads as a result.
   */
  private async send(
    ctx: ProbeContext,
    request: { method: 'GET' | 'POST' | 'PUT'; url: string; data?: unknown; headers?: Record<string, string> },
  ): Promise<AgencyResponse> {
    try {
      const response = await this.connection.dispatcher.request({
        origin: this.connection.origin,
        path: this.pathOf(request.url),
        method: request.method,
        // A copy through a proxy: undici's ProxyAgent writes the Host header into the object it is given.
        headers: request.headers ? mergeHeaders(this.baseHeaders, request.headers) : this.egressProxy ? { ...this.baseHeaders } : this.baseHeaders,
        body: request.data === undefined ? undefined : JSON.stringify(request.data),
        signal: ctx.signal,
      });
      // The pool refuses a body past MAX_AGENCY_ANSWER_BYTES (rest-connection.ts): text() then rejects, and the socket is gone.
      return { status: response.statusCode, data: parseBody(await response.body.text()) };
    } catch (error) {
      throw transportFailure(error, ctx.signal, ctx.timeoutMs);
    }
  }

  /** `url` under the base URL's path, as `/prefix/url`; the base URL itself for ''. */
  private pathOf(url: string): string {
    const relative = url.replace(/^\/+/, '');
    if (relative === '') return this.connection.pathPrefix || '/';
    return `${this.connection.pathPrefix}/${relative}`;
  }
}

/** JSON whatever the content type says (agencies mislabel it), else the text as it came. */
function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export const createRestAdapter: AdapterFactory = (agency, opts) => new RestAdapter(agency, opts);
