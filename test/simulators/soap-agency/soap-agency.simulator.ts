/**
 * A SOAP agency over real HTTP (`soap.listen` on a node http server), for integration tests, the
 * embedded demo and the conformance kit. It answers EVERY operation of its WSDL (its own generic
 * agency.wsdl, or an agency's WSDL): operations whose name ends in `Status` look an application
 * up by `Reference`; every other operation submits one, idempotent on the transaction id element.
 * Like the REST simulator it can be told to misbehave (slow, flaky, down, hang, reject), from code
 * or over HTTP (PUT /_control, GET /_stats, POST /_reset):
 *   down           → HTTP 503 (plain text, as from a load balancer), also for GET ?wsdl
 *   flaky/failNext → soap:Server fault, HTTP 500
 *   reject         → soap:Client fault with detail ApplicationFault{Code, Message}
 * Any request field equal to "00000000" is always rejected (ID_NOT_FOUND).
 * With `faultStyle: "faultstring"` (an option, or PUT /_control) it faults like many older agency
 * services: EVERY fault is soap:Server without a detail, its code at the head of the fault string:
 *   E1042 no such person, E1043 application rejected, E1044 no such application  (business)
 *   E4001 transaction id missing (our malformed request),  E5003 temporarily unavailable
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { listen, type IServices, type Server } from 'soap';
import { HeldRequests } from '../held-requests';
import { REST_AGENCY_MODES, RestAgencyState, type ModeOptions, type RestAgencyMode, type RestAgencyStats, type ResetOptions } from '../rest-agency/rest-agency.state';
import { AUTHENTICATION_FAULT, authenticated, type Credentials } from './soap-agency.security';

export type SoapAgencyMode = RestAgencyMode;
export type SoapAgencyStats = RestAgencyStats;
export type { ModeOptions };

export const SIMULATOR_WSDL = path.join(__dirname, 'agency.wsdl');

export interface SoapAgencyOptions {
  port?: number;
  host?: string;
  /** References look like `<PREFIX>-000001`. Default `AG`. */
  referencePrefix?: string;
  name?: string;
  /** When both are set, every call needs a WS-Security UsernameToken with them (text or digest). */
  username?: string;
  password?: string;
  /** The WSDL to serve and answer. Default: the simulator's generic agency.wsdl. */
  wsdl?: string;
  /** The request element carrying the transaction id. Default `TransactionId`. */
  transactionIdField?: string;
  /** The SOAP endpoint path. Default `/soap/agency`. */
  path?: string;
  /** How faults carry their codes: in a detail element (default) or only in the fault string. */
  faultStyle?: SoapFaultStyle;
}

export const SOAP_FAULT_STYLES = ['detail', 'faultstring'] as const;
export type SoapFaultStyle = (typeof SOAP_FAULT_STYLES)[number];

export interface SoapAgencySimulator {
  /** The SOAP endpoint: what an agency file's `endpoint` (or an override) points at. */
  readonly url: string;
  readonly wsdlUrl: string;
  readonly port: number;
  readonly name: string;
  setMode(mode: SoapAgencyMode, opts?: ModeOptions): void;
  /** The next `n` submissions answer a soap:Server fault, whatever the mode. */
  failNext(n: number): void;
  setFaultStyle(style: SoapFaultStyle): void;
  /** Every later answer on the SOAP path is padded (an XML comment before its envelope's end) to exactly this many bytes; null: as made. */
  padAnswersTo(bytes: number | null): void;
  stats(): SoapAgencyStats;
  reset(options?: ResetOptions): void;
  /** Ends held (hanging, slow) requests, then stops the server. */
  close(): Promise<void>;
}

type Args = Record<string, unknown>;

type SoapFault = { Fault: Record<string, unknown> };

/** The codes an agency of the faultstring style puts in front of its fault strings. */
const FAULTSTRING_CODES: Record<string, string> = { ID_NOT_FOUND: 'E1042', APPLICATION_REJECTED: 'E1043', NOT_FOUND: 'E1044' };

function serverFault(style: SoapFaultStyle): SoapFault {
  const faultstring = style === 'faultstring' ? 'E5003: Service temporarily unavailable, try again later' : 'The service is temporarily unavailable';
  return { Fault: { faultcode: 'soap:Server', faultstring, statusCode: 500 } };
}

function applicationFault(style: SoapFaultStyle, code: string, message: string): SoapFault {
  if (style === 'faultstring') return { Fault: { faultcode: 'soap:Server', faultstring: `${FAULTSTRING_CODES[code]}: ${message}`, statusCode: 500 } };
  return { Fault: { faultcode: 'soap:Client', faultstring: message, detail: { ApplicationFault: { Code: code, Message: message } }, statusCode: 500 } };
}

/** Without a detail code (or, in the faultstring style, with an E4xxx code): a malformed request. */
function malformedRequestFault(style: SoapFaultStyle, message: string): SoapFault {
  if (style === 'faultstring') return { Fault: { faultcode: 'soap:Server', faultstring: `E4001: ${message}`, statusCode: 500 } };
  return { Fault: { faultcode: 'soap:Client', faultstring: message, statusCode: 500 } };
}

export async function startSoapAgency(options: SoapAgencyOptions = {}): Promise<SoapAgencySimulator> {
  const { port = 0, host = '127.0.0.1', referencePrefix = 'AG', transactionIdField = 'TransactionId' } = options;
  const soapPath = options.path ?? '/soap/agency';
  const name = options.name ?? `${referencePrefix} SOAP simulator`;
  const credentials: Credentials | undefined =
    options.username !== undefined && options.password !== undefined ? { username: options.username, password: options.password } : undefined;
  const wsdl = readFileSync(options.wsdl ?? SIMULATOR_WSDL, 'utf8');
  const state = new RestAgencyState(referencePrefix);
  let faultStyle: SoapFaultStyle = options.faultStyle ?? 'detail';
  let padTo: number | null = null;
  const held = new HeldRequests();
  let closing = false;
  const hold = (ms: number | null, until?: Promise<void>): Promise<void> => held.hold(ms, until);

  async function submit(operation: string, args: Args, headers: unknown, res: http.ServerResponse): Promise<Args> {
    const disruption = state.nextSubmission();
    if (disruption.kind === 'fail') throw serverFault(faultStyle);
    if (disruption.kind === 'delay') await hold(disruption.ms);
    if (disruption.kind === 'hang') {
      state.hanging++;
      await hold(null, new Promise((resolve) => res.once('close', () => resolve())));
      state.hanging--;
      throw serverFault(faultStyle);
    }
    if (credentials && !authenticated(headers, credentials)) throw AUTHENTICATION_FAULT;
    const key = typeof args[transactionIdField] === 'string' ? (args[transactionIdField] as string).trim() : '';
    if (key === '') throw malformedRequestFault(faultStyle, `${transactionIdField} is required`);
    const previous = state.existing(key);
    if (previous) return applicationBody(previous.reference, previous.receivedAt);
    const fields = applicationFields(args, transactionIdField);
    if (Object.values(fields).includes('00000000')) throw applicationFault(faultStyle, 'ID_NOT_FOUND', 'No person is registered under this ID number');
    if (disruption.kind === 'reject') throw applicationFault(faultStyle, 'APPLICATION_REJECTED', 'The agency rejected this application');
    const application = state.create(key, operation, fields);
    return applicationBody(application.reference, application.receivedAt);
  }

  async function lookUp(args: Args, headers: unknown): Promise<Args> {
    const disruption = state.probeDisruption();
    if (disruption.kind === 'delay') await hold(disruption.ms);
    if (disruption.kind === 'fail' || disruption.kind === 'hang') throw serverFault(faultStyle);
    if (credentials && !authenticated(headers, credentials)) throw AUTHENTICATION_FAULT;
    const application = typeof args.Reference === 'string' ? state.application(args.Reference) : undefined;
    if (!application) throw applicationFault(faultStyle, 'NOT_FOUND', 'No such application');
    return applicationBody(application.reference, application.receivedAt);
  }

  // Every service, port and operation of the WSDL resolves to the two handlers above.
  const operations = new Proxy(
    {},
    {
      get: (_target, operation) => (args: Args, _callback: unknown, headers: unknown, _req: http.IncomingMessage, res: http.ServerResponse) =>
        String(operation).endsWith('Status') ? lookUp(args ?? {}, headers) : submit(String(operation), args ?? {}, headers, res),
    },
  );
  const services = new Proxy({}, { get: () => new Proxy({}, { get: () => operations }) }) as IServices;

  const server = http.createServer();
  server.on('request', (req, res) => void control(req, res));
  const soapServer = await new Promise<Server>((resolve, reject) => {
    const created: Server = listen(server, {
      path: soapPath,
      services,
      xml: wsdl,
      suppressStack: true,
      callback: (error: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : setImmediate(() => resolve(created))),
    });
  });
  // Called by node-soap before anything else, for every path. `down` answers before node-soap
  // looks at the request, as a load balancer in front of a dead agency would.
  soapServer.authorizeConnection = (req, res) => {
    res?.on('close', () => {
      if (!res.writableFinished && !closing) state.aborted++;
    });
    const onSoapPath = new URL(req.url ?? '/', 'http://simulator').pathname === soapPath;
    if (!onSoapPath || state.mode !== 'down') {
      if (onSoapPath && res && padTo !== null && req.method === 'POST') padAnswer(res, padTo);
      return true;
    }
    if (req.method === 'POST') state.nextSubmission();
    req.resume();
    res?.writeHead(503, { 'content-type': 'text/html' }).end('<html><body><h1>503 Service Unavailable</h1></body></html>');
    return false;
  };

  async function control(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const route = `${req.method} ${new URL(req.url ?? '/', 'http://simulator').pathname}`;
    if (route === 'GET /_stats') return send(200, state.stats());
    if (route === 'POST /_reset') {
      // As for the REST simulator: references are never reissued after an HTTP reset.
      state.reset({ keepNumbering: true });
      return send(200, state.stats());
    }
    if (route !== 'PUT /_control') return send(404, { error: { code: 'NOT_FOUND', message: 'No such endpoint' } });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as ModeOptions & { mode?: SoapAgencyMode; failNext?: number; faultStyle?: SoapFaultStyle };
      if (body.faultStyle !== undefined) faultStyle = checkedFaultStyle(body.faultStyle);
      if (body.mode !== undefined) state.setMode(body.mode, body);
      if (body.failNext !== undefined) state.failNext(body.failNext);
    } catch (error) {
      return send(400, { error: { code: 'BAD_CONTROL', message: `${(error as Error).message} (modes: ${REST_AGENCY_MODES.join(', ')})` } });
    }
    return send(200, { ...state.stats(), faultStyle });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

  return {
    url: `${base}${soapPath}`,
    wsdlUrl: `${base}${soapPath}?wsdl`,
    port: address.port,
    name,
    setMode: (mode, opts) => state.setMode(mode, opts),
    failNext: (n) => state.failNext(n),
    setFaultStyle: (style) => {
      faultStyle = checkedFaultStyle(style);
    },
    padAnswersTo: (bytes) => {
      padTo = bytes;
    },
    stats: () => state.stats(),
    reset: (options) => state.reset(options),
    close: async () => {
      if (closing) return;
      closing = true;
      held.releaseAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** node-soap writes its answer as one string (then ends the chunked response): that string, padded to `bytes`. */
function padAnswer(res: http.ServerResponse, bytes: number): void {
  const write = res.write.bind(res) as (chunk: unknown) => boolean;
  res.write = ((chunk: unknown) => {
    if (typeof chunk !== 'string') return write(chunk);
    const filler = bytes - Buffer.byteLength(chunk) - '<!---->'.length;
    const close = chunk.lastIndexOf('</');
    if (close < 0 || filler < 0) throw new Error(`an answer of ${Buffer.byteLength(chunk)} bytes cannot be padded to ${bytes}`);
    return write(`${chunk.slice(0, close)}<!--${'x'.repeat(filler)}-->${chunk.slice(close)}`);
  }) as typeof res.write;
}

function checkedFaultStyle(style: unknown): SoapFaultStyle {
  if (!(SOAP_FAULT_STYLES as readonly unknown[]).includes(style)) throw new Error(`unknown fault style ${String(style)} (styles: ${SOAP_FAULT_STYLES.join(', ')})`);
  return style as SoapFaultStyle;
}

function applicationFields(args: Args, transactionIdField: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) if (key !== transactionIdField && key !== 'attributes') fields[key] = value;
  return fields;
}

function applicationBody(reference: string, receivedAt: string): Args {
  return { Reference: reference, Status: 'ACCEPTED', ReceivedAt: receivedAt };
}
