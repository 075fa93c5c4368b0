import { HttpStatus } from '@nestjs/common';
import type { ErrorCategory } from '../../../core/shared/errors';

/** The one place a DomainError category becomes an HTTP status; the compiler checks it is complete. */
export const ERROR_STATUS = {
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  // A well-formed request whose content is wrong (the contract: 422 invalid). Unparseable bodies are 400.
  invalid: HttpStatus.UNPROCESSABLE_ENTITY,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  upstream_failed: HttpStatus.BAD_GATEWAY,
  upstream_timeout: HttpStatus.GATEWAY_TIMEOUT,
  forbidden: HttpStatus.FORBIDDEN,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
} as const satisfies Record<ErrorCategory, HttpStatus>;

/** The problem `title`: short, stable per category (the `detail` says what happened this time). */
export const ERROR_TITLE = {
  not_found: 'Not found',
  conflict: 'Conflict',
  invalid: 'Invalid request',
  unavailable: 'Service unavailable',
  upstream_failed: 'Agency system failed',
  upstream_timeout: 'Agency system timed out',
  forbidden: 'Forbidden',
  unauthenticated: 'Unauthenticated',
  rate_limited: 'Too many requests',
} as const satisfies Record<ErrorCategory, string>;

/**
 * The few codes whose status is more precise than their category's: a body that does not even
 * parse is `invalid` like any other bad request, but HTTP calls it a 400, not a 422.
 */
export const STATUS_BY_CODE: Readonly<Record<string, HttpStatus>> = {
  'malformed-json': HttpStatus.BAD_REQUEST,
};
