/**
 * An agency's own fault habits, declared in its agency file (`faultMap`, per agency and per
 * operation). Many SOAP services answer every fault as `soap:Server` and put the real code in the
 * fault string (`E1042: PIN already registered`) or in a detail element; a rule says which of
 * those faults are the agency saying no (`rejected`), which are transient (`retry`) and which
 * mean our request or set-up is wrong (`misconfigured`). The operation's rules are tried first,
 * then the agency's; the first rule whose every condition holds decides, and a fault no rule
 * matches is read by the defaults (rejectFaultCodes, authFaultCodes, Server → transient).
 */
import { misconfigured, pointer, requiredString } from '../config-readers';
import { scalarText } from '../field-mapping';
import { getByPointer, isRecord } from '../../contracts/src/json-pointer';

export const SOAP_FAULT_OUTCOMES = ['rejected', 'retry', 'misconfigured'] as const;
export type SoapFaultOutcome = (typeof SOAP_FAULT_OUTCOMES)[number];

export interface SoapFaultRule {
  /** Where the rule was declared, e.g. `adapter.faultMap[1]`: named in operators' reasons, never the agency's words. */
  at: string;
  faultcode?: string;
  faultstring?: string;
  faultstringPattern?: RegExp;
  detail?: { pointer: string; equals?: string; pattern?: RegExp };
  outcome: SoapFaultOutcome;
  code?: string;
  reason?: string;
}

/** What a fault looks like to a rule: its code names, its text and its detail. */
export interface MatchableFault {
  /** Local names the fault answers to: `Server`, `Client.PinExists` and `Client`, a SOAP 1.2 subcode. */
  names: readonly string[];
  text?: string;
  detail?: unknown;
}

/** What matched: the pattern's named groups and the detail element's text, for a rejection's code and reason. */
export interface FaultRuleMatch {
  rule: SoapFaultRule;
  groups: Readonly<Record<string, string | undefined>>;
  detailText?: string;
}

/** Fault strings are the agency's input: patterns only ever see their first characters. */
const MAX_MATCHED_TEXT = 1000;

export function parseFaultMap(value: unknown, at: string): SoapFaultRule[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw misconfigured(`${at} must be a list of fault rules`);
  return value.map((entry, index) => parseRule(entry, `${at}[${index}]`));
}

export function matchFaultRule(fault: MatchableFault, rules: readonly SoapFaultRule[]): FaultRuleMatch | undefined {
  const text = fault.text?.trim().slice(0, MAX_MATCHED_TEXT);
  for (const rule of rules) {
    if (rule.faultcode !== undefined && !fault.names.includes(localName(rule.faultcode))) continue;
    if (rule.faultstring !== undefined && text !== rule.faultstring.trim()) continue;
    let groups: Record<string, string | undefined> = {};
    if (rule.faultstringPattern) {
      const found = text === undefined ? null : rule.faultstringPattern.exec(text);
      if (!found) continue;
      groups = { ...found.groups };
    }
    let detailText: string | undefined;
    if (rule.detail) {
      detailText = elementText(getByPointer(fault.detail, rule.detail.pointer));
      if (detailText === undefined) continue;
      if (rule.detail.equals !== undefined && detailText !== rule.detail.equals) continue;
      if (rule.detail.pattern && !rule.detail.pattern.test(detailText.slice(0, MAX_MATCHED_TEXT))) continue;
    }
    return { rule, groups, detailText };
  }
  return undefined;
}

export function localName(qname: string): string {
  const colon = qname.lastIndexOf(':');
  return (colon >= 0 ? qname.slice(colon + 1) : qname).trim();
}

/** The text of an element as node-soap parses it: a string, a number, or `{ $value }` beside attributes. */
export function elementText(value: unknown): string | undefined {
  return scalarText(isRecord(value) ? value.$value : value);
}

function parseRule(entry: unknown, at: string): SoapFaultRule {
  if (!isRecord(entry)) throw misconfigured(`${at} must be an object`);
  const outcome = requiredString(entry, 'outcome', at);
  if (!(SOAP_FAULT_OUTCOMES as readonly string[]).includes(outcome)) throw misconfigured(`${at}.outcome must be one of ${SOAP_FAULT_OUTCOMES.join(', ')}`);
  const rule: SoapFaultRule = {
    at,
    outcome: outcome as SoapFaultOutcome,
    faultcode: text(entry, 'faultcode', at),
    faultstring: text(entry, 'faultstring', at),
    faultstringPattern: regex(entry, 'faultstringPattern', at),
    detail: parseDetail(entry.detail, `${at}.detail`),
    code: text(entry, 'code', at),
    reason: text(entry, 'reason', at),
  };
  if (!rule.faultcode && !rule.faultstring && !rule.faultstringPattern && !rule.detail) {
    throw misconfigured(`${at} must match on faultcode, faultstring, faultstringPattern or detail`);
  }
  if (rule.outcome !== 'rejected' && (rule.code !== undefined || rule.reason !== undefined)) {
    throw misconfigured(`${at}: code and reason are given only to a rejected outcome`);
  }
  return rule;
}

function parseDetail(value: unknown, at: string): SoapFaultRule['detail'] {
  if (value === undefined) return undefined;
  if (!isRecord(value)) throw misconfigured(`${at} must be an object`);
  const detailPointer = pointer(value, 'pointer', at);
  if (detailPointer === undefined) throw misconfigured(`${at}.pointer is required`);
  return { pointer: detailPointer, equals: text(value, 'equals', at), pattern: regex(value, 'pattern', at) };
}

function text(source: Record<string, unknown>, key: string, at: string): string | undefined {
  const value = source[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw misconfigured(`${at}.${key} must be a non-empty string`);
  return value;
}

function regex(source: Record<string, unknown>, key: string, at: string): RegExp | undefined {
  const value = text(source, key, at);
  if (value === undefined) return undefined;
  try {
    return new RegExp(value, 'u');
  } catch {
    throw misconfigured(`${at}.${key} is not a regular expression`);
  }
}
