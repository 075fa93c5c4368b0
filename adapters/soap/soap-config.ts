/**
 * The SOAP section of an agency file and a SOAP service's `operation`, read into typed objects
 * with their defaults. The catalogue loader has validated the file against its schema; these
 * checks repeat only what the adapter relies on, so a hand-built definition (tests, the
 * conformance kit) fails with a message naming the field instead of an odd SOAP call later.
 */
import { misconfigured, optionalString, pointer, pointerRecord, requiredString } from '../config-readers';
import { isRecord } from '../../contracts/src/json-pointer';
import { parseFaultMap, type SoapFaultRule } from './soap-fault-map';

export type SoapSecurity =
  | { type: 'none' }
  | { type: 'username-token'; usernameEnv: string; passwordEnv: string; passwordType: 'text' | 'digest' };

export interface SoapTls {
  certFileEnv: string;
  keyFileEnv: string;
  caFileEnv?: string;
}

export interface SoapStatusOperation {
  operation: string;
  referenceField: string;
  statePointer: string;
}

export interface SoapAgencyConfig {
  /** A path relative to the agency folder, or an http(s) URL. */
  wsdl: string;
  endpoint?: string;
  endpointEnv?: string;
  security: SoapSecurity;
  tls?: SoapTls;
  /** The request element that carries Kiungo's transaction id (the agency's idempotency key). */
  transactionIdField: string;
  rejectFaultCodes: string[];
  authFaultCodes: string[];
  /** The agency's fault rules (soap-fault-map.ts). */
  faultMap: SoapFaultRule[];
  statusOperation?: SoapStatusOperation;
}

export interface SoapOperation {
  operation: string;
  /** `{ agencyElement: "/pointer/into/payload" }`; absent = the payload's fields are sent as they are. */
  requestMap?: Record<string, string>;
  agencyRefPointer: string;
  /** `{ ourField: "/pointer/into/result" }`; absent = the operation's result is the result. */
  resultMap?: Record<string, string>;
  rejectFaultCodes: string[];
  /** The operation's own fault rules, then the agency's: the first that matches decides. */
  faultMap: SoapFaultRule[];
  /** Pointers into the fault detail; absent = the first `Code`/`code` element and the `Message` beside it. */
  rejectCodePointer?: string;
  rejectReasonPointer?: string;
}

export const SOAP_DEFAULTS = {
  transactionIdField: 'TransactionId',
  rejectFaultCodes: ['Client', 'Sender'],
  authFaultCodes: ['FailedAuthentication', 'InvalidSecurity', 'InvalidSecurityToken', 'FailedCheck'],
  agencyRefPointer: '/Reference',
  referenceField: 'Reference',
  statePointer: '/Status',
} as const;

const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

export function parseSoapAgencyConfig(agencyCode: string, adapter: Record<string, unknown>): SoapAgencyConfig {
  const where = `agency ${agencyCode} adapter`;
  const wsdl = optionalString(adapter, 'wsdl', where);
  if (!wsdl) throw misconfigured(`${where}: wsdl is required`);
  return {
    wsdl,
    endpoint: optionalString(adapter, 'endpoint', where),
    endpointEnv: optionalString(adapter, 'endpointEnv', where),
    security: parseSecurity(adapter.security, `${where}.security`),
    tls: parseTls(adapter.tls, `${where}.tls`),
    transactionIdField: xmlName(adapter, 'transactionIdField', where) ?? SOAP_DEFAULTS.transactionIdField,
    rejectFaultCodes: faultCodes(adapter.rejectFaultCodes, `${where}.rejectFaultCodes`) ?? [...SOAP_DEFAULTS.rejectFaultCodes],
    authFaultCodes: faultCodes(adapter.authFaultCodes, `${where}.authFaultCodes`) ?? [...SOAP_DEFAULTS.authFaultCodes],
    faultMap: parseFaultMap(adapter.faultMap, `${where}.faultMap`),
    statusOperation: parseStatusOperation(adapter.statusOperation, `${where}.statusOperation`),
  };
}

export function parseSoapOperation(serviceCode: string, operation: Record<string, unknown>, config: SoapAgencyConfig): SoapOperation {
  const where = `service ${serviceCode} operation`;
  const name = xmlName(operation, 'operation', where);
  if (!name) throw misconfigured(`${where}: operation (the WSDL operation name) is required`);
  return {
    operation: name,
    requestMap: pointerRecord(operation.requestMap, `${where}.requestMap`),
    agencyRefPointer: pointer(operation, 'agencyRefPointer', where) ?? SOAP_DEFAULTS.agencyRefPointer,
    resultMap: pointerRecord(operation.resultMap, `${where}.resultMap`),
    rejectFaultCodes: faultCodes(operation.rejectFaultCodes, `${where}.rejectFaultCodes`) ?? config.rejectFaultCodes,
    faultMap: [...parseFaultMap(operation.faultMap, `${where}.faultMap`), ...config.faultMap],
    rejectCodePointer: pointer(operation, 'rejectCodePointer', where),
    rejectReasonPointer: pointer(operation, 'rejectReasonPointer', where),
  };
}

function parseSecurity(security: unknown, at: string): SoapSecurity {
  if (security === undefined) return { type: 'none' };
  if (!isRecord(security)) throw misconfigured(`${at} must be an object`);
  switch (security.type ?? 'none') {
    case 'none':
      return { type: 'none' };
    case 'username-token': {
      const passwordType = security.passwordType ?? 'text';
      if (passwordType !== 'text' && passwordType !== 'digest') throw misconfigured(`${at}.passwordType must be text or digest`);
      return {
        type: 'username-token',
        usernameEnv: requiredString(security, 'usernameEnv', at),
        passwordEnv: requiredString(security, 'passwordEnv', at),
        passwordType,
      };
    }
    default:
      throw misconfigured(`${at}.type must be none or username-token`);
  }
}

function parseTls(tls: unknown, at: string): SoapTls | undefined {
  if (tls === undefined) return undefined;
  if (!isRecord(tls)) throw misconfigured(`${at} must be an object`);
  return {
    certFileEnv: requiredString(tls, 'certFileEnv', at),
    keyFileEnv: requiredString(tls, 'keyFileEnv', at),
    caFileEnv: optionalString(tls, 'caFileEnv', at),
  };
}

function parseStatusOperation(value: unknown, at: string): SoapStatusOperation | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) throw misconfigured(`${at} must be an object`);
  const operation = xmlName(value, 'operation', at);
  if (!operation) throw misconfigured(`${at}.operation is required`);
  return {
    operation,
    referenceField: xmlName(value, 'referenceField', at) ?? SOAP_DEFAULTS.referenceField,
    statePointer: pointer(value, 'statePointer', at) ?? SOAP_DEFAULTS.statePointer,
  };
}

function xmlName(source: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = optionalString(source, key, where);
  if (value !== undefined && !XML_NAME.test(value)) throw misconfigured(`${where}.${key}: "${value}" is not an XML name`);
  return value;
}

function faultCodes(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && v !== '')) {
    throw misconfigured(`${where} must be a non-empty list of fault codes`);
  }
  return [...(value as string[])];
}
