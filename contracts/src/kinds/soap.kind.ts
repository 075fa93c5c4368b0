/**
 * The `soap` adapter kind: defaults of its adapter and operation blocks (the same values as
 * the `default` annotations in agency-file.v1.json; adapters/soap/soap-config.ts takes them from here), and the
 * mapping checks against the service's schemas.
 */
import type { AdapterKindRules } from './adapter-kind.rules';
import { checkFieldMaps, copyFieldMaps } from './field-maps';

export const SOAP_ADAPTER_DEFAULTS = Object.freeze({
  transactionIdField: 'TransactionId',
  /** SOAP 1.1 `Client` / SOAP 1.2 `Sender` faults with a detail code are the agency saying no. */
  rejectFaultCodes: Object.freeze(['Client', 'Sender']),
  /** WS-Security fault codes (OASIS WSS 1.1 §12): our credentials are wrong. */
  authFaultCodes: Object.freeze(['FailedAuthentication', 'InvalidSecurity', 'InvalidSecurityToken', 'FailedCheck']),
});

export const SOAP_OPERATION_DEFAULTS = Object.freeze({
  agencyRefPointer: '/Reference',
});

export const soapKind: AdapterKindRules = {
  kind: 'soap',

  adapterWithDefaults(adapter) {
    const security = (adapter.security as Record<string, unknown> | undefined) ?? { type: 'none' };
    return {
      ...adapter,
      kind: 'soap',
      security: security.type === 'username-token' ? { passwordType: 'text', ...security } : { ...security },
      transactionIdField: adapter.transactionIdField ?? SOAP_ADAPTER_DEFAULTS.transactionIdField,
      rejectFaultCodes: [...((adapter.rejectFaultCodes as string[] | undefined) ?? SOAP_ADAPTER_DEFAULTS.rejectFaultCodes)],
      authFaultCodes: [...((adapter.authFaultCodes as string[] | undefined) ?? SOAP_ADAPTER_DEFAULTS.authFaultCodes)],
      ...(adapter.faultMap ? { faultMap: structuredClone(adapter.faultMap) } : {}),
    };
  },

  operationWithDefaults(operation) {
    return {
      ...SOAP_OPERATION_DEFAULTS,
      ...operation,
      ...copyFieldMaps(operation),
      ...(operation.rejectFaultCodes ? { rejectFaultCodes: [...(operation.rejectFaultCodes as string[])] } : {}),
      ...(operation.faultMap ? { faultMap: structuredClone(operation.faultMap) } : {}),
    };
  },

  checkService: checkFieldMaps,
};
