/**
 * The generic SOAP adapter (node-soap): configured, not coded (see soap-config.ts for the agency
 * file section). One node-soap client per agency, created on first use from the WSDL (a file in
 * the agency folder or a URL) and cached, pointed at the configured endpoint because WSDLs often
 * carry a wrong soap:address. Faults and transport errors are classified in soap-outcome.ts and
 * never leave this folder raw.
 */
import type { Client } from 'soap';
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
import { transportFailure } from '../rest/rest-outcome';
import { parseSoapAgencyConfig, parseSoapOperation, type SoapAgencyConfig, type SoapOperation } from './soap-config';
import { MAX_WSDL_OR_REQUEST_BYTES, SoapConnection } from './soap-connection';
import { acceptedOutcome, buildSoapArguments, callFailure } from './soap-outcome';

/** Where configuration faults found at call time are reported (credentials refused, WSDL gone). */
export type SoapAdapterLog = (line: string) => void;

type SoapMethod = (args: Record<string, unknown>, options: Record<string, unknown>, extraHeaders: Record<string, string>) => Promise<unknown[]>;

export class SoapAdapter implements AgencyAdapter {
  readonly kind = 'soap';
  private readonly config: SoapAgencyConfig;
  private readonly connection: SoapConnection;
  /** Parsed when the agency is loaded, so that a bad operation fails the agency's config, not a citizen's call. */
  private readonly operations = new Map<string, SoapOperation>();
  private lastLogged?: string;

  constructor(
    private readonly agency: AgencyDefinition,
    opts: AdapterFactoryOptions,
    private readonly log: SoapAdapterLog = (line) => console.warn(line),
  ) {
    this.config = parseSoapAgencyConfig(agency.code, agency.adapter);
    for (const service of agency.services) {
      this.operations.set(service.code, parseSoapOperation(service.code, service.operation, this.config));
    }
    // One socket per bulkhead slot, plus one so a health or status probe never queues behind slow submissions.
    this.connection = new SoapConnection(agency.code, agency.folder, this.config, agency.resilience.concurrency + 1, opts);
  }

  async submit(req: AgencyRequest, ctx: CallContext): Promise<SubmitResult> {
    const operation = this.operations.get(ctx.service.code);
    if (!operation) {
      throw new AgencyCallError('misconfigured', `service ${ctx.service.code} has no SOAP operation at agency ${this.agency.code}`, NOT_SENT);
    }
    const args = buildSoapArguments(req.transactionId, this.config.transactionIdField, req.payload, operation);
    try {
      const result = await this.call(operation.operation, args, ctx, req.correlationId ?? req.transactionId);
      return acceptedOutcome(result, operation);
    } catch (error) {
      const failure = callFailure(error, { ...ctx, operation, authFaultCodes: this.config.authFaultCodes });
      if (failure instanceof AgencyCallError) throw this.reported(failure);
      return failure;
    }
  }

  async status(agencyRef: string, ctx: ProbeContext): Promise<ApplicationStatus> {
    const lookup = this.config.statusOperation;
    if (!lookup) throw new AgencyCallError('misconfigured', `agency ${this.agency.code} has no statusOperation`, NOT_SENT);
    const operation: SoapOperation = {
      operation: lookup.operation,
      agencyRefPointer: `/${lookup.referenceField}`,
      rejectFaultCodes: this.config.rejectFaultCodes,
      faultMap: this.config.faultMap,
    };
    try {
      const result = await this.call(lookup.operation, { [lookup.referenceField]: agencyRef }, ctx, agencyRef);
      if (!isRecord(result)) throw new AgencyCallError('bad_response', `operation ${lookup.operation} answered without a result element`);
      const state = getByPointer(result, lookup.statePointer);
      return { kind: 'found', agencyRef, state: typeof state === 'string' && state !== '' ? state : 'unknown', result };
    } catch (error) {
      const failure = callFailure(error, { ...ctx, operation, authFaultCodes: this.config.authFaultCodes });
      // A business fault to a look-up means the agency does not know the reference.
      if (!(failure instanceof AgencyCallError)) return { kind: 'not_found', agencyRef };
      throw this.reported(failure);
    }
  }

  /**
   * Up means the WSDL loads and the endpoint answers below 500 (soap.listen and most SOAP stacks
   * serve `?wsdl` there); without an endpoint override, a loaded WSDL is all we can know.
   */
  async health(ctx: ProbeContext): Promise<AgencyHealth> {
    const started = performance.now();
    const latency = (): number => Math.round(performance.now() - started);
    try {
      const http = await this.connection.http(ctx);
      if (!this.connection.endpoint) return { up: true, latencyMs: latency(), detail: 'WSDL loaded' };
      const { status } = await http.get(`${this.connection.endpoint}?wsdl`, {
        signal: ctx.signal,
        validateStatus: () => true,
        maxContentLength: MAX_WSDL_OR_REQUEST_BYTES,
      });
      if (status === 401 || status === 403) return { up: false, latencyMs: latency(), detail: `credentials refused (HTTP ${status})` };
      return { up: status < 500, latencyMs: latency(), detail: `HTTP ${status}` };
    } catch (error) {
      const failure = error instanceof AgencyCallError ? error : transportFailure(error, ctx.signal, ctx.timeoutMs);
      return { up: false, latencyMs: latency(), detail: `${failure.code}: ${failure.reason}` };
    }
  }

  async close(): Promise<void> {
    this.connection.close();
  }

  private async call(operationName: string, args: Record<string, unknown>, ctx: ProbeContext, correlationId: string): Promise<unknown> {
    const client = await this.connection.client(ctx);
    const method = soapMethod(client, operationName);
    if (!method) {
      throw new AgencyCallError('misconfigured', `the WSDL of agency ${this.agency.code} has no operation ${operationName}`, NOT_SENT);
    }
    // The signal alone ends the call at the deadline (the port's promise): no axios timeout beside it.
    const [result] = await method(args, { signal: ctx.signal }, {
      'X-Correlation-Id': correlationId,
      ...(ctx.traceparent && { traceparent: ctx.traceparent }),
    });
    return result;
  }

  /** Configuration faults need a person; say so once per distinct reason, not once per call. */
  private reported(failure: AgencyCallError): AgencyCallError {
    if (failure.code === 'misconfigured' && failure.reason !== this.lastLogged) {
      this.lastLogged = failure.reason;
      this.log(`[soap] agency ${this.agency.code} is misconfigured: ${failure.reason}`);
    }
    return failure;
  }
}

function soapMethod(client: Client, operationName: string): SoapMethod | undefined {
  const candidate: unknown = (client as unknown as Record<string, unknown>)[`${operationName}Async`];
  return typeof candidate === 'function' ? (candidate.bind(client) as SoapMethod) : undefined;
}

export const createSoapAdapter: AdapterFactory = (agency, opts) => new SoapAdapter(agency, opts);
