/**
 * The SOAP section of an agency file and a SOAP service's `operation`, read into typed objects
 * with their defaults. The catalogue loader has checked both against agency-file.v1.json (naming
 * the file and the field of every fault) before any adapter is built: nothing is checked again
 * here. What only shows at call time (an unset environment variable, an unreadable certificate
 * file, a WSDL that does not load) is soap-connection.ts's and the adapter's.
 */
import type { SoapAdapterBlock, SoapOperationBlock } from '../../contracts/src/agency-adapter.types';
import { copyMap } from '../config-readers';
import { parseFaultMap, type SoapFaultRule } from './soap-fault-map';
import { SOAP_ADAPTER_DEFAULTS, SOAP_OPERATION_DEFAULTS } from '../../contracts/src/kinds/soap.kind';

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

/** The SOAP kind's defaults (kept once in contracts beside the schema's), and the status operation's. */
const SOAP_DEFAULTS = Object.freeze({
  ...SOAP_ADAPTER_DEFAULTS,
  ...SOAP_OPERATION_DEFAULTS,
  referenceField: 'Reference',
  statePointer: '/Status',
});

export function parseSoapAgencyConfig(agencyCode: string, adapter: Readonly<Record<string, unknown>>): SoapAgencyConfig {
  // The catalogue loader validated the block against $defs/kinds/soap of agency-file.v1.json.
  const block = adapter as unknown as SoapAdapterBlock;
  const { security, statusOperation } = block;
  return {
    wsdl: block.wsdl,
    endpoint: block.endpoint,
    endpointEnv: block.endpointEnv,
    security: security?.type === 'username-token' ? { ...security, passwordType: security.passwordType ?? 'text' } : { type: 'none' },
    tls: block.tls && { ...block.tls },
    transactionIdField: block.transactionIdField ?? SOAP_DEFAULTS.transactionIdField,
    rejectFaultCodes: [...(block.rejectFaultCodes ?? SOAP_DEFAULTS.rejectFaultCodes)],
    authFaultCodes: [...(block.authFaultCodes ?? SOAP_DEFAULTS.authFaultCodes)],
    faultMap: parseFaultMap(block.faultMap, `agency ${agencyCode} adapter.faultMap`),
    statusOperation: statusOperation && {
      operation: statusOperation.operation,
      referenceField: statusOperation.referenceField ?? SOAP_DEFAULTS.referenceField,
      statePointer: statusOperation.statePointer ?? SOAP_DEFAULTS.statePointer,
    },
  };
}

export function parseSoapOperation(serviceCode: string, operation: Readonly<Record<string, unknown>>, config: SoapAgencyConfig): SoapOperation {
  // The catalogue loader validated the block against $defs/kinds/soap of agency-file.v1.json.
  const block = operation as unknown as SoapOperationBlock;
  return {
    operation: block.operation,
    requestMap: copyMap(block.requestMap),
    agencyRefPointer: block.agencyRefPointer ?? SOAP_DEFAULTS.agencyRefPointer,
    resultMap: copyMap(block.resultMap),
    rejectFaultCodes: block.rejectFaultCodes ? [...block.rejectFaultCodes] : config.rejectFaultCodes,
    faultMap: [...parseFaultMap(block.faultMap, `service ${serviceCode} operation.faultMap`), ...config.faultMap],
    rejectCodePointer: block.rejectCodePointer,
    rejectReasonPointer: block.rejectReasonPointer,
  };
}
