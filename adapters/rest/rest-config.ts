/**
 * The REST section of an agency file and a REST service's `operation`, read into typed
 * objects with their defaults. The catalogue loader validates the file against its schema;
 * these checks repeat only what the adapter relies on, so a bad file fails with a message
 * naming the field instead of an odd HTTP call later.
 */
import { misconfigured, optionalString, pointer, pointerRecord, requiredString, stringRecord } from '../config-readers';
import { isRecord } from '../../contracts/src/json-pointer';

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

export const REST_DEFAULTS = {
  idempotencyHeader: 'Idempotency-Key',
  correlationHeader: 'X-Correlation-Id',
  apiKeyHeader: 'X-API-Key',
  businessRejectStatuses: [400, 404, 409, 422],
  agencyRefPointer: '/reference',
  rejectCodePointer: '/error/code',
  rejectReasonPointer: '/error/message',
} as const;

export function parseRestAgencyConfig(agencyCode: string, adapter: Record<string, unknown>): RestAgencyConfig {
  const where = `agency ${agencyCode} adapter`;
  const baseUrl = optionalString(adapter, 'baseUrl', where);
  const baseUrlEnv = optionalString(adapter, 'baseUrlEnv', where);
  if (!baseUrl && !baseUrlEnv) throw misconfigured(`${where}: baseUrl or baseUrlEnv is required`);
  const statuses = adapter.businessRejectStatuses ?? REST_DEFAULTS.businessRejectStatuses;
  if (!Array.isArray(statuses) || !statuses.every((s) => Number.isInteger(s) && s >= 400 && s <= 499)) {
    throw misconfigured(`${where}: businessRejectStatuses must be a list of 4xx status codes`);
  }
  if (statuses.some((s) => s === 401 || s === 403 || s === 408 || s === 429)) {
    throw misconfigured(`${where}: 401, 403, 408 and 429 cannot be business rejections`);
  }
  return {
    baseUrl,
    baseUrlEnv,
    auth: parseAuth(adapter.auth, where),
    headers: stringRecord(adapter.headers, `${where}.headers`) ?? {},
    idempotencyHeader: optionalString(adapter, 'idempotencyHeader', where) ?? REST_DEFAULTS.idempotencyHeader,
    correlationHeader: optionalString(adapter, 'correlationHeader', where) ?? REST_DEFAULTS.correlationHeader,
    healthPath: optionalString(adapter, 'healthPath', where),
    statusPath: optionalString(adapter, 'statusPath', where),
    businessRejectStatuses: [...statuses] as number[],
    ...(adapter.appointments === undefined ? {} : { appointments: parseAppointments(adapter.appointments, `${where}.appointments`) }),
  };
}

function parseAppointments(value: unknown, where: string): RestAppointmentsConfig {
  if (!isRecord(value)) throw misconfigured(`${where} must be an object`);
  const cancelPath = requiredString(value, 'cancelPath', where);
  if (!cancelPath.includes('{agencyRef}')) throw misconfigured(`${where}.cancelPath must contain {agencyRef}`);
  return {
    reservePath: requiredString(value, 'reservePath', where),
    cancelPath,
    agencyRefPointer: pointer(value, 'agencyRefPointer', where) ?? REST_DEFAULTS.agencyRefPointer,
  };
}

export function parseRestOperation(serviceCode: string, operation: Record<string, unknown>): RestOperation {
  const where = `service ${serviceCode} operation`;
  const method = operation.method ?? 'POST';
  if (method !== 'POST' && method !== 'PUT') throw misconfigured(`${where}: method must be POST or PUT`);
  const path = optionalString(operation, 'path', where);
  if (!path) throw misconfigured(`${where}: path is required`);
  return {
    method,
    path,
    requestMap: pointerRecord(operation.requestMap, `${where}.requestMap`, 'strings'),
    agencyRefPointer: pointer(operation, 'agencyRefPointer', where) ?? REST_DEFAULTS.agencyRefPointer,
    resultMap: pointerRecord(operation.resultMap, `${where}.resultMap`, 'strings'),
    rejectCodePointer: pointer(operation, 'rejectCodePointer', where) ?? REST_DEFAULTS.rejectCodePointer,
    rejectReasonPointer: pointer(operation, 'rejectReasonPointer', where) ?? REST_DEFAULTS.rejectReasonPointer,
  };
}

function parseAuth(auth: unknown, where: string): RestAuth {
  if (auth === undefined) return { type: 'none' };
  if (!isRecord(auth)) throw misconfigured(`${where}.auth must be an object`);
  const at = `${where}.auth`;
  switch (auth.type ?? 'none') {
    case 'none':
      return { type: 'none' };
    case 'bearer':
      return { type: 'bearer', tokenEnv: requiredString(auth, 'tokenEnv', at) };
    case 'basic':
      return { type: 'basic', usernameEnv: requiredString(auth, 'usernameEnv', at), passwordEnv: requiredString(auth, 'passwordEnv', at) };
    case 'api-key':
      return { type: 'api-key', header: optionalString(auth, 'header', at) ?? REST_DEFAULTS.apiKeyHeader, keyEnv: requiredString(auth, 'keyEnv', at) };
    case 'mtls':
      return {
        type: 'mtls',
        certFileEnv: requiredString(auth, 'certFileEnv', at),
        keyFileEnv: requiredString(auth, 'keyFileEnv', at),
        caFileEnv: optionalString(auth, 'caFileEnv', at),
      };
    default:
      throw misconfigured(`${at}.type must be one of none, bearer, basic, api-key, mtls`);
  }
}
