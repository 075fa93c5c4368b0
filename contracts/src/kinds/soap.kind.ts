/**
 * The `soap` adapter kind: defaults of its adapter and operation blocks (the same values as
 * the `default` annotations in agency-file.v1.json and adapters/soap/soap-config.ts), and the
 * mapping checks against the service's schemas.
 */
import { childPointer } from '../json-pointer';
import type { AdapterKindRules, AgencyFileIssue, ServiceCheckInput } from './adapter-kind.rules';
import { closedProperties, requiredProperties, schemaMayHave } from './schema-fields';

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
    };
  },

  operationWithDefaults(operation) {
    return {
      ...SOAP_OPERATION_DEFAULTS,
      ...operation,
      ...(operation.requestMap ? { requestMap: { ...(operation.requestMap as Record<string, string>) } } : {}),
      ...(operation.resultMap ? { resultMap: { ...(operation.resultMap as Record<string, string>) } } : {}),
      ...(operation.rejectFaultCodes ? { rejectFaultCodes: [...(operation.rejectFaultCodes as string[])] } : {}),
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
