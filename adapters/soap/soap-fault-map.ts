/**
 * An agency's own fault habits, declared in its agency file (`faultMap`, per agency and per
 * operation). Many SOAP services answer every fault as `soap:Server` and put the real code in the
 * fault string (`E1042: PIN already registered`) or in a detail element; a rule says which of
 * those faults are the agency saying no (`rejected`), which are transient (`retry`) and which
 * mean our request or set-up is wrong (`misconfigured`). The operation's rules are tried first,
 * then the agency's; the first rule whose every condition holds decides, and a fault no rule
 * matches is read by the defaults (rejectFaultCodes, authFaultCodes, Server → transient).
 * agency-file.v1.json (`$defs/faultMap`) checks every rule at boot: that it matches on something,
 * that its patterns compile (with the u flag, as here), that only a rejection has a code or reason.
 */
import type { FaultMap } from '../../contracts/src/agency-adapter.types';
import { scalarText } from '../field-mapping';
import { getByPointer, isRecord } from '../../contracts/src/json-pointer';

export type SoapFaultOutcome = FaultMap[number]['outcome'];

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

/** The rules of a `faultMap` the catalogue loader has checked; `at` names the list in operators' reasons. */
export function parseFaultMap(rules: FaultMap | undefined, at: string): SoapFaultRule[] {
  return (rules ?? []).map(({ faultstringPattern, detail, ...rule }, index) => ({
    ...rule,
    at: `${at}[${index}]`,
    faultstringPattern: regex(faultstringPattern),
    detail: detail && { pointer: detail.pointer, equals: detail.equals, pattern: regex(detail.pattern) },
  }));
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

function regex(source: string | undefined): RegExp | undefined {
  return source === undefined ? undefined : new RegExp(source, 'u');
}
