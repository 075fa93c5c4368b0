/**
 * The REST section of an agency file and a REST service's `operation`, read into typed
 * objects with their defaults. The catalogue loader has checked both against agency-file.v1.json
 * (naming the file and the field of every fault) before any adapter is built: nothing is checked
 * again here. What only shows at call time (an unset environment variable, an unreadable
 * certificate file) is rest-connection.ts's.
 */
import type { RestAdapterBlock, RestOperationBlock } from '../../contracts/src/agency-adapter.types';
import { copyMap } from '../config-readers';
import { REST_ADAPTER_DEFAULTS, REST_OPERATION_DEFAULTS } from '../../contracts/src/kinds/rest.kind';

export type RestAuth =
  | { type: 'none' }
  | { type: 'bearer'; tokenEnv: string }
  | { type: 'basic'; usernameEnv: string; passwordEnv: string }
  | { type: 'api-key'; header: string; keyEnv: string }
  | { type: 'mtls'; certFileEnv: string; keyFileEnv: string; caFileEnv?: string };

export interface RestAgencyConfig {
  baseUrl?: string;
  baseUrlEnv?: string;
  auth: RestAuth;
  headers: Record<string, string>;
  idempotencyHeader: string;
  correlationHeader: string;
  healthPath?: string;
  /** With `{agencyRef}` in it, e.g. `/api/v1/applications/{agencyRef}`. */
  statusPath?: string;
  businessRejectStatuses: number[];
  /** The agency's own appointment system, when it has one. */
  appointments?: RestAppointmentsConfig;
}

/** `adapter.appointments`: the agency's own appointment system (see rest-appointments.ts). */
export interface RestAppointmentsConfig {
  reservePath: string;
  /** With `{agencyRef}` in it. */
  cancelPath: string;
  agencyRefPointer: string;
}

export interface RestOperation {
  method: 'POST' | 'PUT';
  path: string;
  /** `{ agencyField: "/pointer/into/payload" }`; absent = the payload is sent as it is. */
  requestMap?: Record<string, string>;
  agencyRefPointer: string;
  /** `{ ourField: "/pointer/into/response" }`; absent = the response body is the result. */
  resultMap?: Record<string, string>;
  rejectCodePointer: string;
  rejectReasonPointer: string;
}

/** The REST kind's defaults, kept once in contracts beside the schema's `default` annotations. */
const REST_DEFAULTS = Object.freeze({ ...REST_ADAPTER_DEFAULTS, ...REST_OPERATION_DEFAULTS });

export function parseRestAgencyConfig(adapter: Readonly<Record<string, unknown>>): RestAgencyConfig {
  // The catalogue loader validated the block against $defs/kinds/rest of agency-file.v1.json.
  const block = adapter as unknown as RestAdapterBlock;
  return {
    baseUrl: block.baseUrl,
    baseUrlEnv: block.baseUrlEnv,
    auth: authOf(block.auth),
    headers: { ...block.headers } as Record<string, string>,
    idempotencyHeader: block.idempotencyHeader ?? REST_DEFAULTS.idempotencyHeader,
    correlationHeader: block.correlationHeader ?? REST_DEFAULTS.correlationHeader,
    healthPath: block.healthPath,
    statusPath: block.statusPath,
    businessRejectStatuses: [...(block.businessRejectStatuses ?? REST_DEFAULTS.businessRejectStatuses)],
    ...(block.appointments === undefined
      ? {}
      : { appointments: { ...block.appointments, agencyRefPointer: block.appointments.agencyRefPointer ?? REST_DEFAULTS.agencyRefPointer } }),
  };
}

export function parseRestOperation(operation: Readonly<Record<string, unknown>>): RestOperation {
  // The catalogue loader validated the block against $defs/kinds/rest of agency-file.v1.json.
  const block = operation as unknown as RestOperationBlock;
  return {
    method: block.method ?? 'POST',
    path: block.path,
    requestMap: copyMap(block.requestMap),
    agencyRefPointer: block.agencyRefPointer ?? REST_DEFAULTS.agencyRefPointer,
    resultMap: copyMap(block.resultMap),
    rejectCodePointer: block.rejectCodePointer ?? REST_DEFAULTS.rejectCodePointer,
    rejectReasonPointer: block.rejectReasonPointer ?? REST_DEFAULTS.rejectReasonPointer,
  };
}

function authOf(auth: RestAdapterBlock['auth']): RestAuth {
  if (auth === undefined) return { type: 'none' };
  return auth.type === 'api-key' ? { ...auth, header: auth.header ?? REST_DEFAULTS.apiKeyHeader } : { ...auth };
}
