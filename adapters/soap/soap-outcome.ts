/**
 * Where SOAP stops: request elements are built from the citizen's payload, results and faults
 * become our outcomes.
 *   result with a reference           → accepted (missing reference → bad_response)
 *   a fault a `faultMap` rule matches → what the rule says (soap-fault-map.ts), before the defaults:
 *   WS-Security fault (authFaultCodes) or HTTP 401/403 → misconfigured (our credentials are wrong)
 *   rejectFaultCodes fault WITH a detail code (or a dotted subcode such as Client.PinExists)
 *                                     → rejected, code and reason ≤ 200 chars (grounds: adapters/rejection.ts)
 *   the same fault WITHOUT one        → misconfigured (the agency found our request malformed)
 *   Server / Receiver fault, HTTP 5xx → unavailable;  VersionMismatch / MustUnderstand → misconfigured
 *   an answer past MAX_AGENCY_ANSWER_BYTES → bad_response, as for REST
 *   transport errors, timeouts        → as for REST (rest-outcome.ts)
 * Reasons for transient failures name fault codes and statuses only: never the fault string,
 * the detail, a body or a secret. Only a business rejection carries the agency's own words.
 */
import { AgencyCallError, type SubmitResult } from '../agency-adapter.port';
import { rejection, type Rejection } from '../rejection';
import { getByPointer, isRecord } from '../../contracts/src/json-pointer';
import { mapRequest, mapResult, scalarText } from '../field-mapping';
import { answerTooLarge, transportFailure, unsuccessfulStatus } from '../rest/rest-outcome';
import type { SoapOperation } from './soap-config';
import { elementText, localName, matchFaultRule, type FaultRuleMatch } from './soap-fault-map';

export interface SoapFault {
  /** Local names: `Client`, `Client.PinExists`, `FailedAuthentication`. */
  code: string;
  subcode?: string;
  reason?: string;
  detail?: unknown;
}

const MAX_REASON_LENGTH = 200;
const MAX_CODE_LENGTH = 100;

export function buildSoapArguments(
  transactionId: string,
  transactionIdField: string,
  payload: Record<string, unknown>,
  operation: SoapOperation,
): Record<string, unknown> {
  // The transaction id goes first: it is the first element of most agencies' request sequences.
  const args: Record<string, unknown> = { [transactionIdField]: transactionId };
  if (!operation.requestMap) return { ...args, ...payload, [transactionIdField]: transactionId };
  return mapRequest(payload, operation.requestMap, args);
}

export function acceptedOutcome(result: unknown, operation: SoapOperation): SubmitResult {
  if (!isRecord(result)) throw new AgencyCallError('bad_response', `operation ${operation.operation} answered without a result element`);
  const agencyRef = scalarText(getByPointer(result, operation.agencyRefPointer));
  if (!agencyRef) {
    throw new AgencyCallError('bad_response', `operation ${operation.operation} answered without an agency reference at ${operation.agencyRefPointer}`);
  }
  return { kind: 'accepted', agencyRef, result: operation.resultMap ? mapResult(result, operation.resultMap) : withoutAttributes(result) };
}

/** Reads the SOAP 1.1 or 1.2 fault node-soap attached to its error, if there is one. */
export function faultOf(error: unknown): SoapFault | undefined {
  const root = (error as { root?: unknown } | null)?.root;
  const fault = isRecord(root) && isRecord(root.Envelope) && isRecord(root.Envelope.Body) ? root.Envelope.Body.Fault : undefined;
  if (!isRecord(fault)) return undefined;
  if (fault.faultcode !== undefined) {
    return { code: localName(text(fault.faultcode)), reason: text(fault.faultstring) || undefined, detail: fault.detail };
  }
  const code = isRecord(fault.Code) ? fault.Code : {};
  const subcode = isRecord(code.Subcode) ? localName(text(code.Subcode.Value)) : undefined;
  const reasonNode = isRecord(fault.Reason) ? fault.Reason.Text : undefined;
  return { code: localName(text(code.Value)), subcode, reason: text(reasonNode) || undefined, detail: fault.Detail };
}

/**
 * Classifies what node-soap threw for a call. Returns a rejection for a business fault;
 * anything else becomes an AgencyCallError (thrown by the caller).
 */
export function callFailure(
  error: unknown,
  ctx: { signal: AbortSignal; timeoutMs: number; operation: SoapOperation; authFaultCodes: readonly string[] },
): Rejection | AgencyCallError {
  if (error instanceof AgencyCallError) return error;
  if (refusedAsTooLarge(error)) return answerTooLarge();
  const status = (error as { response?: { status?: unknown } } | null)?.response?.status;
  const fault = faultOf(error);
  if (fault) return faultOutcome(fault, typeof status === 'number' ? status : undefined, ctx.operation, ctx.authFaultCodes);
  if (typeof status === 'number') {
    if (status >= 200 && status < 300) return new AgencyCallError('bad_response', `HTTP ${status} without a readable SOAP envelope`);
    return unsuccessfulStatus(status);
  }
  return transportFailure(error, ctx.signal, ctx.timeoutMs);
}

/** axios's refusal of an answer past its maxContentLength (soap-connection.ts): the message alone tells it from a dropped stream. */
function refusedAsTooLarge(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'ERR_BAD_RESPONSE' && typeof message === 'string' && /^maxContentLength size of \d+ exceeded$/.test(message);
}

function faultOutcome(fault: SoapFault, status: number | undefined, operation: SoapOperation, authFaultCodes: readonly string[]): Rejection | AgencyCallError {
  const names = faultNames(fault);
  const shown = fault.subcode ? `${fault.code}/${fault.subcode}` : fault.code;
  const matched = matchFaultRule({ names, text: fault.reason, detail: fault.detail }, operation.faultMap);
  if (matched) return mappedOutcome(matched, fault, shown, operation);
  if (names.some((name) => matches(name, authFaultCodes)) || status === 401 || status === 403) {
    return new AgencyCallError('misconfigured', `the agency refused our WS-Security credentials (SOAP fault ${shown})`);
  }
  if (names.some((name) => matches(name, operation.rejectFaultCodes))) {
    const code = detailText(fault.detail, operation.rejectCodePointer, 'code') ?? dottedSubcode(fault.code) ?? fault.subcode;
    if (!code) {
      return new AgencyCallError('misconfigured', `the agency found our ${operation.operation} request malformed (SOAP fault ${shown} without a detail code)`);
    }
    const reason = detailText(fault.detail, operation.rejectReasonPointer, 'message') ?? fault.reason ?? `the agency rejected the application (${code})`;
    return rejection(code.slice(0, MAX_CODE_LENGTH), code, reason.slice(0, MAX_REASON_LENGTH));
  }
  if (/^(VersionMismatch|MustUnderstand|DataEncodingUnknown)$/.test(fault.code)) {
    return new AgencyCallError('misconfigured', `the agency cannot process our SOAP envelope (SOAP fault ${shown})`);
  }
  return new AgencyCallError('unavailable', `the agency answered SOAP fault ${shown}${status ? ` (HTTP ${status})` : ''}`);
}

/** What a faultMap rule says; transient and misconfigured reasons name the rule, never the agency's words. */
function mappedOutcome({ rule, groups, detailText: matchedText }: FaultRuleMatch, fault: SoapFault, shown: string, operation: SoapOperation): Rejection | AgencyCallError {
  if (rule.outcome === 'retry') return new AgencyCallError('unavailable', `the agency answered SOAP fault ${shown} (${rule.at}: retry)`);
  if (rule.outcome === 'misconfigured') {
    return new AgencyCallError('misconfigured', `the agency answered SOAP fault ${shown}, which ${rule.at} maps to misconfigured`);
  }
  const code =
    rule.code ?? nonEmpty(groups.code) ?? matchedText ?? detailText(fault.detail, operation.rejectCodePointer, 'code') ?? dottedSubcode(fault.code) ?? fault.subcode ?? fault.code;
  const reason =
    rule.reason ?? nonEmpty(groups.reason) ?? detailText(fault.detail, operation.rejectReasonPointer, 'message') ?? fault.reason ?? `the agency rejected the application (${code})`;
  return rejection(code.slice(0, MAX_CODE_LENGTH), code, reason.trim().slice(0, MAX_REASON_LENGTH));
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** `Client.PinExists` matches `Client` and `Client.PinExists`; prefixes are ignored on both sides. */
function faultNames(fault: SoapFault): string[] {
  const names = [fault.code, fault.code.split('.')[0]];
  if (fault.subcode) names.push(fault.subcode);
  return names;
}

function matches(name: string, configured: readonly string[]): boolean {
  return configured.some((code) => localName(code) === name);
}

function dottedSubcode(code: string): string | undefined {
  const dot = code.indexOf('.');
  return dot > 0 && dot < code.length - 1 ? code.slice(dot + 1) : undefined;
}

/** At the configured pointer, else the first `Code`/`code` (or `Message`/`message`) element, at most 3 levels down. */
function detailText(detail: unknown, pointer: string | undefined, field: 'code' | 'message'): string | undefined {
  if (pointer) return elementText(getByPointer(detail, pointer));
  return findField(detail, field, 3);
}

function findField(node: unknown, field: string, depth: number): string | undefined {
  if (!isRecord(node) || depth < 0) return undefined;
  for (const [key, value] of Object.entries(node)) {
    if (key.toLowerCase() === field) {
      const found = elementText(value);
      if (found) return found;
    }
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === 'attributes') continue;
    const found = findField(value, field, depth - 1);
    if (found) return found;
  }
  return undefined;
}

/** node-soap keeps XML attributes under `attributes`; they are not part of the agency's answer. */
function withoutAttributes(result: Record<string, unknown>): Record<string, unknown> {
  const { attributes: _attributes, ...rest } = result;
  return rest;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isRecord(value) && typeof value.$value === 'string') return value.$value;
  return '';
}
