/**
 * One generated request on the wire, sent with node:http (not fetch) so that the path is not
 * normalised, the body can be any bytes and headers go out as generated. A request prints as
 * a short readable line, which is what fast-check shows for a shrunk counterexample.
 */
import fc from 'fast-check';
import { request as httpRequest } from 'node:http';
import { MAX_RESPONSE_BYTES, ROUTE_TIME_BUDGET_MS } from './fuzz.config';

export interface FuzzRequest {
  /** `POST /v1/transactions` as documented, for messages. */
  route: string;
  method: string;
  /** Path and query, already encoded as it goes on the wire. */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** What the body was before encoding, for messages: `json`, `invalid-utf8`, `deep-nesting`, ... */
  bodyKind: string;
  /** How the caller authenticated: `role:officer`, `none`, `garbage`, `expired`, `wrong-role`. */
  auth: string;
}

export interface FuzzResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  elapsedMs: number;
  /** True when the body was cut at MAX_RESPONSE_BYTES or a stream was closed by us. */
  truncated: boolean;
}

const PREVIEW = 160;

/** A one-line description: route, auth, target, headers and the start of the body. */
export function describeRequest(request: FuzzRequest): string {
  const headers = Object.entries(request.headers)
    .filter(([name]) => name !== 'authorization')
    .map(([name, value]) => `${name}: ${preview(value)}`)
    .join('; ');
  const body = request.body ? `${request.bodyKind} ${request.body.length} B ${preview(request.body.toString('latin1'))}` : 'no body';
  return `${request.method} ${preview(request.target)} [${request.route}] auth=${request.auth} {${headers}} body=${body}`;
}

/** Makes fast-check print the request as `describeRequest` does. */
export function printable(request: FuzzRequest): FuzzRequest {
  return Object.defineProperty(request, fc.toStringMethod, { value: () => describeRequest(request), enumerable: false });
}

export function preview(text: string): string {
  const shown = JSON.stringify(text.length > PREVIEW ? `${text.slice(0, PREVIEW)}…` : text);
  return text.length > PREVIEW ? `${shown} (${text.length} chars)` : shown;
}

/** Sends the request; rejects only when the server does not answer within twice the time budget. */
export function send(baseUrl: string, fuzz: FuzzRequest): Promise<FuzzResponse> {
  const url = new URL(baseUrl);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: fuzz.method,
        path: fuzz.target,
        headers: { ...fuzz.headers, ...(fuzz.body ? { 'content-length': String(fuzz.body.length) } : {}), connection: 'close' },
        insecureHTTPParser: false,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        const finish = () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            elapsedMs: performance.now() - started,
            truncated,
          });
        // A live stream (server-sent events) never ends: its headers and first bytes are enough.
        const streaming = String(incoming.headers['content-type'] ?? '').startsWith('text/event-stream');
        incoming.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (streaming || size > MAX_RESPONSE_BYTES) {
            truncated = true;
            incoming.destroy();
            finish();
          }
        });
        incoming.on('end', finish);
        incoming.on('error', () => (truncated ? undefined : reject(new Error('response stream failed'))));
      },
    );
    outgoing.setTimeout(ROUTE_TIME_BUDGET_MS * 2, () => outgoing.destroy(new Error(`no answer within ${ROUTE_TIME_BUDGET_MS * 2} ms`)));
    outgoing.on('error', reject);
    outgoing.end(fuzz.body);
  });
}
