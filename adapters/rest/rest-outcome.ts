/**
 * Where agency HTTP stops: statuses, bodies and socket errors become our outcomes.
 *   2xx                      → accepted, with the agency reference (missing → bad_response)
 *   businessRejectStatuses   → rejected, code and reason read by pointer (reason ≤ 200 chars);
 *                              without a code, or with one that says so, on grounds of a malformed request
 *   401 / 403                → misconfigured (our credentials are wrong)
 *   407                      → misconfigured (the egress proxy refused our proxy credentials)
 *   408 → timeout, 429 → rate_limited, 5xx → unavailable
 *   other 3xx / 4xx          → misconfigured (our method, path or base URL is wrong)
 * Reasons name status and error codes only: never a response body, a header or a secret.
 */
import { AgencyCallError, type SubmitResult } from '../agency-adapter.port';
import { rejection } from '../rejection';
import { getByPointer, isRecord } from '../../contracts/src/json-pointer';
import { mapRequest, mapResult, scalarText } from '../field-mapping';
import type { RestOperation } from './rest-config';
import { MAX_AGENCY_ANSWER_BYTES } from '../../contracts/src/catalogue.defaults';
import { EgressProxyError } from '../egress-proxy';

export interface AgencyResponse {
  status: number;
  data: unknown;
}

const MAX_REASON_LENGTH = 200;

export function buildRequestBody(payload: Record<string, unknown>, operation: RestOperation): Record<string, unknown> {
  return operation.requestMap ? mapRequest(payload, operation.requestMap) : payload;
}

export function submitOutcome(response: AgencyResponse, operation: RestOperation, rejectStatuses: readonly number[]): SubmitResult {
  const { status, data } = response;
  if (status >= 200 && status < 300) {
    if (!isRecord(data)) throw new AgencyCallError('bad_response', `HTTP ${status} without a JSON object body`);
    const agencyRef = scalarText(getByPointer(data, operation.agencyRefPointer));
    if (!agencyRef) throw new AgencyCallError('bad_response', `HTTP ${status} without an agency reference at ${operation.agencyRefPointer}`);
    return { kind: 'accepted', agencyRef, result: operation.resultMap ? mapResult(data, operation.resultMap) : data };
  }
  if (rejectStatuses.includes(status)) {
    const code = scalarText(getByPointer(data, operation.rejectCodePointer))?.slice(0, 100);
    const reason = scalarText(getByPointer(data, operation.rejectReasonPointer)) ?? `the agency rejected the application (HTTP ${status})`;
    // Without a business code, the status alone says the agency could not take our request.
    return rejection(code, `HTTP_${status}`, reason.slice(0, MAX_REASON_LENGTH));
  }
  throw unsuccessfulStatus(status);
}

/** For any answer that is neither a success nor a business rejection. */
export function unsuccessfulStatus(status: number): AgencyCallError {
  // Only a proxy answers 407: a forwarding egress proxy (rest-connection.ts) refusing our credentials.
  if (status === 407) return proxyFailure(EgressProxyError.refused(407));
  if (status === 401 || status === 403) {
    return new AgencyCallError('misconfigured', `the agency refused our credentials (HTTP ${status})`);
  }
  if (status === 408) return new AgencyCallError('timeout', 'the agency timed out the request (HTTP 408)');
  if (status === 429) return new AgencyCallError('rate_limited', 'the agency is limiting our rate (HTTP 429)');
  if (status >= 500) return new AgencyCallError('unavailable', `the agency answered HTTP ${status}`);
  if (status >= 300 && status < 400) return new AgencyCallError('misconfigured', `unexpected redirect (HTTP ${status}): check the base URL`);
  return new AgencyCallError('misconfigured', `the agency answered HTTP ${status}: check the method and path`);
}

const TIMEOUT_CODES = new Set([
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const BAD_RESPONSE_CODES = new Set([
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_INFO',
]);
const PARSER_CODE = /^HPE_/;
const TLS_CODE = /^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_)/;

/**
 * Maps a thrown transport error (undici's, a socket's, or anything else) to a transient failure.
 * Only the error CODE is kept: an HTTP client's errors may carry the request, headers included.
 */
export function transportFailure(error: unknown, signal: AbortSignal, timeoutMs: number): AgencyCallError {
  if (error instanceof AgencyCallError) return error;
  if (signal.aborted && signal.reason instanceof AgencyCallError) return signal.reason;
  if (error instanceof EgressProxyError && !signal.aborted) return proxyFailure(error);
  const code = errorCode(error);
  if (signal.aborted || TIMEOUT_CODES.has(code)) return new AgencyCallError('timeout', `no answer within ${timeoutMs} ms`);
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return answerTooLarge();
  if (BAD_RESPONSE_CODES.has(code) || PARSER_CODE.test(code)) return new AgencyCallError('bad_response', `unreadable answer (${code})`);
  if (isUndiciParserError(error)) return new AgencyCallError('bad_response', 'unreadable answer (HTTP parser error)');
  if (TLS_CODE.test(code)) return new AgencyCallError('misconfigured', `TLS handshake failed (${code}): check certificates`);
  return new AgencyCallError('unavailable', `agency unreachable (${code})`);
}

/**
 * The egress proxy's failure (egress-proxy.ts). 407 and any other refusal but a gateway one are
 * ours to fix (the proxy URL's credentials, the proxy's allow list); a proxy that cannot be
 * reached, or cannot reach the agency, is unavailable like the agency itself.
 */
function proxyFailure(error: EgressProxyError): AgencyCallError {
  if (error.status === 407) {
    return new AgencyCallError('misconfigured', 'the egress proxy refused our credentials (HTTP 407): check the user and password in the proxy URL');
  }
  // As the agency's own 5xx: the proxy could not reach it (502), or not in time (504).
  if (error.status !== undefined && error.status >= 500) return new AgencyCallError('unavailable', `the egress proxy could not reach the agency (HTTP ${error.status})`);
  if (error.status !== undefined) return new AgencyCallError('misconfigured', `the egress proxy refused the tunnel to the agency (HTTP ${error.status})`);
  const code = error.errorCode ?? 'UNKNOWN';
  if (TLS_CODE.test(code)) return new AgencyCallError('misconfigured', `TLS handshake with the egress proxy failed (${code}): check certificates`);
  if (TIMEOUT_CODES.has(code)) return new AgencyCallError('timeout', `the egress proxy did not answer (${code})`);
  return new AgencyCallError('unavailable', `egress proxy unreachable (${code})`);
}

/** An answer past MAX_AGENCY_ANSWER_BYTES, however the HTTP client that refused it said so. */
export function answerTooLarge(): AgencyCallError {
  return new AgencyCallError('bad_response', `answer larger than ${MAX_AGENCY_ANSWER_BYTES} bytes`);
}

/**
 * undici's HTTPParserError (an answer that is not HTTP/1.1, a bad header or chunk) comes without
 * the HPE_ code node:http's parser gives: undici 7 looks llhttp's error up by number in a table
 * keyed by name. Told by its name, so that it stays bad_response as it was under node:http.
 */
function isUndiciParserError(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'HTTPParserError';
}

function errorCode(error: unknown): string {
  const candidates = [
    (error as { code?: unknown } | null)?.code,
    ((error as { cause?: unknown } | null)?.cause as { code?: unknown } | undefined)?.code,
  ];
  const code = candidates.find((c): c is string => typeof c === 'string' && /^[A-Z0-9_]{2,64}$/.test(c));
  return code ?? 'UNKNOWN';
}
