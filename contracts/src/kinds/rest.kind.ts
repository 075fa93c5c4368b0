/**
 * The `rest` adapter kind: defaults of its adapter and operation blocks (the same values as
 * the `default` annotations in agency-file.v1.json and adapters/rest/rest-config.ts), and the
 * mapping checks against the service's schemas.
 */
import { childPointer } from '../json-pointer';
import type { AdapterKindRules, AgencyFileIssue, ServiceCheckInput } from './adapter-kind.rules';
import { closedProperties, requiredProperties, schemaMayHave } from './schema-fields';

export const REST_ADAPTER_DEFAULTS = Object.freeze({
  idempotencyHeader: 'Idempotency-Key',
  correlationHeader: 'X-Correlation-Id',
  apiKeyHeader: 'X-API-Key',
  businessRejectStatuses: Object.freeze([400, 404, 409, 422]),
});

export const REST_OPERATION_DEFAULTS = Object.freeze({
  method: 'POST',
  agencyRefPointer: '/reference',
  rejectCodePointer: '/error/code',
  rejectReasonPointer: '/error/message',
});

export const restKind: AdapterKindRules = {
  kind: 'rest',

  adapterWithDefaults(adapter) {
    const auth = (adapter.auth as Record<string, unknown> | undefined) ?? { type: 'none' };
    return {
      ...adapter,
      kind: 'rest',
      auth: auth.type === 'api-key' ? { header: REST_ADAPTER_DEFAULTS.apiKeyHeader, ...auth } : { ...auth },
      headers: { ...(adapter.headers as Record<string, string> | undefined) },
      idempotencyHeader: adapter.idempotencyHeader ?? REST_ADAPTER_DEFAULTS.idempotencyHeader,
      correlationHeader: adapter.correlationHeader ?? REST_ADAPTER_DEFAULTS.correlationHeader,
      businessRejectStatuses: [...((adapter.businessRejectStatuses as number[] | undefined) ?? REST_ADAPTER_DEFAULTS.businessRejectStatuses)],
      ...(adapter.appointments ? { appointments: { agencyRefPointer: '/reference', ...(adapter.appointments as Record<string, unknown>) } } : {}),
    };
  },

  operationWithDefaults(operation) {
    return {
      ...REST_OPERATION_DEFAULTS,
      ...operation,
      ...(operation.requestMap ? { requestMap: { ...(operation.requestMap as Record<string, string>) } } : {}),
      ...(operation.resultMap ? { resultMap: { ...(operation.resultMap as Record<string, string>) } } : {}),
    };
  },

  checkService(input) {
    return [...checkRequestMap(input), ...checkResultMap(input)];
  },
};

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
