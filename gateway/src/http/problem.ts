import { HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { isDatabaseUnavailable, pgErrorCode } from '../../../core/db/pool';
import { DomainError, type FieldError } from '../../../core/shared/errors';
import { maskPersonalDataIn } from '../../../core/shared/personal-data';
import type { Problem as ProblemBody } from '../../../contracts/src/message.types';
import { ERROR_STATUS, ERROR_TITLE, STATUS_BY_CODE } from './error-status.map';

export const PROBLEM_TYPE_BASE = 'https://kiungo.dev/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** RFC 9457 problem details, as every error response carries them (contracts/schemas/problem.v1.json). */
export type ProblemDetails = ProblemBody;

/** What to answer, and how loudly to log it. */
export interface Problem {
  status: number;
  code: string;
  title: string;
  detail: string;
  errors?: FieldError[];
  headers: Record<string, string>;
  /** `error`: our bug (logged with the stack); `warn`: a dependency failed; `debug`: the caller's fault. */
  severity: 'error' | 'warn' | 'debug';
}

/** How the request failed to route, when it did: for 404 versus 405. */
export interface RoutingFacts {
  unrouted: boolean;
  allowedMethods: readonly string[];
}

/** Codes for statuses that reach us as HttpExceptions (Nest, Fastify), not as DomainErrors. */
const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'bad-request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  408: 'request-timeout',
  409: 'conflict',
  411: 'length-required',
  413: 'payload-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  422: 'unprocessable-content',
  429: 'too-many-requests',
  431: 'request-header-fields-too-large',
  502: 'bad-gateway',
  503: 'unavailable',
  504: 'gateway-timeout',
};

const BEARER_CHALLENGE = 'Bearer error="invalid_token"';
/** SQLSTATE 22021 character_not_in_repertoire: what PostgreSQL says of a NUL byte in a text value. */
const NUL_IN_TEXT = '22021';

export function problemFor(exception: unknown, routing: RoutingFacts): Problem {
  if (exception instanceof DomainError) return fromDomainError(exception);
  if (exception instanceof HttpException) return fromHttpException(exception, routing);
  if (pgErrorCode(exception) === NUL_IN_TEXT) {
    // PostgreSQL text cannot hold U+0000, and only a caller's input carries one (found by the fuzzer:
    // `POST /v1/centres/X/counters/%00/call-next` was a 500). Nothing was stored: the statement failed.
    return standard(HttpStatus.UNPROCESSABLE_ENTITY, 'nul-character', 'A value in the request contains a NUL character (U+0000), which is never valid here.');
  }
  if (isDatabaseUnavailable(exception)) {
    // Nothing was stored (or the write's outcome is unknown and an idempotent retry settles it).
    return {
      ...standard(HttpStatus.SERVICE_UNAVAILABLE, 'database-unavailable', 'The database cannot be reached just now. Try again shortly with the same Idempotency-Key.'),
      headers: { 'retry-after': '2' },
      severity: 'warn',
    };
  }
  return internal();
}

function fromDomainError(error: DomainError): Problem {
  const status = STATUS_BY_CODE[error.code] ?? ERROR_STATUS[error.category];
  const headers: Record<string, string> = {};
  const retryAfter = error.details.retryAfterSeconds;
  if (retryAfter !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0) {
    headers['retry-after'] = String(Math.ceil(retryAfter));
  }
  if (error.category === 'unauthenticated') headers['www-authenticate'] = BEARER_CHALLENGE;
  return {
    status,
    code: error.code,
    title: ERROR_TITLE[error.category],
    detail: error.message,
    errors: error.details.errors,
    headers,
    severity: status >= 500 ? 'warn' : 'debug',
  };
}

function fromHttpException(exception: HttpException, routing: RoutingFacts): Problem {
  const status = exception.getStatus();
  if (status === HttpStatus.NOT_FOUND && routing.unrouted) {
    if (routing.allowedMethods.length > 0) {
      const allow = routing.allowedMethods.join(', ');
      return {
        ...standard(HttpStatus.METHOD_NOT_ALLOWED, 'method-not-allowed', `This path answers only ${allow}.`),
        headers: { allow },
      };
    }
    return standard(HttpStatus.NOT_FOUND, 'route-not-found', 'No such endpoint. The API is described at /docs.');
  }
  if (status < 400 || status === HttpStatus.INTERNAL_SERVER_ERROR || status > 599) return internal();
  if (status >= 500) {
    // Whatever a server-side HttpException says may be internal; a 5xx says only its status.
    return { ...standard(status, codeFor(status), STATUS_CODES[status] ?? 'Server error'), severity: 'warn' };
  }
  const problem = standard(status, codeFor(status), exception.message);
  if (status === HttpStatus.UNAUTHORIZED) problem.headers['www-authenticate'] = BEARER_CHALLENGE;
  return problem;
}

function codeFor(status: number): string {
  return CODE_BY_STATUS[status] ?? `http-${status}`;
}

function standard(status: number, code: string, detail: string): Problem {
  return { status, code, title: STATUS_CODES[status] ?? 'Error', detail, headers: {}, severity: 'debug' };
}

function internal(): Problem {
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    code: 'internal',
    title: 'Internal error',
    detail: 'Something went wrong on our side. Quote the correlation id when you report it.',
    headers: {},
    severity: 'error',
  };
}

export function problemDetails(problem: Problem, instance: string, correlationId: string): ProblemDetails {
  // A caller who puts a national ID or a phone in a path (`/v1/centres/12345678`) does not get it back
  // from a "no such centre" detail or the instance: errors are logged and shown, and carry no personal data.
  const masked = maskPersonalDataIn(instance);
  const body: ProblemDetails = {
    type: `${PROBLEM_TYPE_BASE}${problem.code}`,
    title: problem.title,
    status: problem.status,
    detail: masked === instance ? problem.detail : maskPersonalDataIn(problem.detail),
    instance: masked,
    correlationId,
  };
  if (problem.errors && problem.errors.length > 0) body.errors = problem.errors;
  return body;
}
