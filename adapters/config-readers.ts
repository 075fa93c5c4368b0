/**
 * Readers for the `adapter` and `operation` blocks of an agency file, shared by every adapter
 * kind's config parser (rest, soap, file-drop, sftp). Each throws `misconfigured` with a message
 * that names the field (`<where>.<key>`), never its value when the value may be a secret.
 */
import { AgencyCallError } from './agency-adapter.port';
import { isRecord, parsePointer } from '../contracts/src/json-pointer';

export function misconfigured(reason: string): AgencyCallError {
  return new AgencyCallError('misconfigured', reason);
}

export function optionalString(source: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = source[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw misconfigured(`${where}.${key} must be a non-empty string`);
  return value;
}

export function requiredString(source: Record<string, unknown>, key: string, where: string): string {
  const value = optionalString(source, key, where);
  if (value === undefined) throw misconfigured(`${where}.${key} is required`);
  return value;
}

/** An optional string that must be a JSON pointer. */
export function pointer(source: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = optionalString(source, key, where);
  if (value !== undefined) assertPointer(value, `${where}.${key}`);
  return value;
}

/** `{ name: "text" }`, copied; `what` names the values in the message (e.g. "JSON pointers"). */
export function stringRecord(value: unknown, where: string, what = 'strings'): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw misconfigured(`${where} must map names to ${what}`);
  }
  return { ...(value as Record<string, string>) };
}

/** A `requestMap` / `resultMap`: names to JSON pointers. */
export function pointerRecord(value: unknown, where: string, what = 'JSON pointers'): Record<string, string> | undefined {
  const record = stringRecord(value, where, what);
  for (const [field, target] of Object.entries(record ?? {})) assertPointer(target, `${where}.${field}`);
  return record;
}

function assertPointer(value: string, where: string): void {
  try {
    parsePointer(value);
  } catch {
    throw misconfigured(`${where}: "${value}" is not a JSON pointer`);
  }
}
