/**
 * The `requestMap` / `resultMap` of an operation (rest, soap), checked against the service's
 * schemas at boot: a mapping that names a field the schema does not have would silently drop
 * data at every call.
 */
import { childPointer } from '../json-pointer';
import type { AgencyFileIssue, ServiceCheckInput } from './adapter-kind.rules';
import { closedProperties, requiredProperties, schemaMayHave } from './schema-fields';

export function checkFieldMaps(input: ServiceCheckInput): AgencyFileIssue[] {
  return [...checkRequestMap(input), ...checkResultMap(input)];
}

/** Copies of the operation's maps, so that defaults never share objects with the agency file. */
export function copyFieldMaps(operation: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return {
    ...(operation.requestMap ? { requestMap: { ...(operation.requestMap as Record<string, string>) } } : {}),
    ...(operation.resultMap ? { resultMap: { ...(operation.resultMap as Record<string, string>) } } : {}),
  };
}

function checkRequestMap({ service, pointer, requestSchema }: ServiceCheckInput): AgencyFileIssue[] {
  const requestMap = service.operation.requestMap as Record<string, string> | undefined;
  const issues: AgencyFileIssue[] = [];
  for (const [agencyField, source] of Object.entries(requestMap ?? {})) {
    if (!schemaMayHave(requestSchema, source)) {
      issues.push({
        pointer: childPointer(`${pointer}/operation/requestMap`, agencyField),
        message: `points to ${source}, which is not a field of the request schema (${service.request})`,
      });
    }
  }
  return issues;
}

function checkResultMap({ service, pointer, responseSchema }: ServiceCheckInput): AgencyFileIssue[] {
  const resultMap = service.operation.resultMap as Record<string, string> | undefined;
  if (!resultMap) return [];
  const at = `${pointer}/operation/resultMap`;
  const issues: AgencyFileIssue[] = [];
  const known = closedProperties(responseSchema);
  for (const ourField of Object.keys(resultMap)) {
    if (known && !known.includes(ourField)) {
      issues.push({ pointer: at, message: `maps field "${ourField}", which the response schema (${service.response}) does not have` });
    }
  }
  for (const required of requiredProperties(responseSchema)) {
    if (!Object.prototype.hasOwnProperty.call(resultMap, required)) {
      issues.push({ pointer: at, message: `does not map "${required}", which the response schema (${service.response}) requires` });
    }
  }
  return issues;
}
