import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

export const CORRELATION_ID_HEADER = 'X-Correlation-Id';

/** What a caller may send as its own correlation id; anything else is ignored, not rejected. */
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** W3C Trace Context: version-traceid-parentid-flags; later versions may append fields. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The request's correlation id: the caller's `X-Correlation-Id` when well formed, else the
 * trace-id of a valid `traceparent`, else a new UUID.
 */
export function correlationIdFromHeaders(headers: IncomingHttpHeaders): string {
  const given = headers['x-correlation-id'];
  if (typeof given === 'string' && ACCEPTED_ID.test(given)) return given;
  const traceId = traceIdOf(headers.traceparent);
  return traceId ?? randomUUID();
}

function traceIdOf(traceparent: string | string[] | undefined): string | undefined {
  if (typeof traceparent !== 'string') return undefined;
  const match = TRACEPARENT.exec(traceparent.trim());
  if (!match) return undefined;
  const [, version, traceId, parentId, , rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return traceId;
}

const CORRELATION_ID = Symbol('kiungo.correlationId');
type Tagged = IncomingMessage & { [CORRELATION_ID]?: string };

/**
 * The id of this raw request, decided once and kept on the request itself. Fastify's genReqId
 * makes it the request's `id`; the problem filter and the framework-error handler ask here too,
 * so an error raised before routing still answers with the same id. Nothing keeps it in an
 * AsyncLocalStorage: whoever needs it downstream (the agency call) is handed `request.id`.
 */
export function correlationIdOf(request: IncomingMessage): string {
  const tagged = request as Tagged;
  tagged[CORRELATION_ID] ??= correlationIdFromHeaders(request.headers);
  return tagged[CORRELATION_ID];
}
