/**
 * The field mapping of an agency file's operations, the same for every adapter kind that maps
 * (rest, soap): `requestMap` builds the agency's request from the citizen's payload, `resultMap`
 * builds our result from the agency's answer. Both name fields by JSON pointer.
 */
import { escapePointerSegment, getByPointer, setByPointer } from '../contracts/src/json-pointer';

/** Writes the mapped fields into `into`: agency field (a name, or a pointer for a nested one) ← payload pointer. */
export function mapRequest(payload: Record<string, unknown>, requestMap: Record<string, string>, into: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [agencyField, source] of Object.entries(requestMap)) {
    const value = getByPointer(payload, source);
    if (value === undefined) continue;
    setByPointer(into, agencyField.startsWith('/') ? agencyField : `/${escapePointerSegment(agencyField)}`, value);
  }
  return into;
}

/** Our result: each field of `resultMap` read from the agency's answer by pointer. */
export function mapResult(answer: Record<string, unknown>, resultMap: Record<string, string>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [ourField, source] of Object.entries(resultMap)) {
    const value = getByPointer(answer, source);
    if (value !== undefined) setByPointer(result, `/${escapePointerSegment(ourField)}`, value);
  }
  return result;
}

/** Strings and finite numbers as trimmed text; anything else (objects, empty text) as undefined. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text === '' ? undefined : text;
}
