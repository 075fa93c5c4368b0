/**
 * The `rest` adapter kind: defaults of its adapter and operation blocks (the same values as
 * the `default` annotations in agency-file.v1.json; adapters/rest/rest-config.ts takes them from here), and the
 * mapping checks against the service's schemas.
 */
import type { AdapterKindRules } from './adapter-kind.rules';
import { checkFieldMaps, copyFieldMaps } from './field-maps';

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
      ...copyFieldMaps(operation),
    };
  },

  checkService: checkFieldMaps,
};
