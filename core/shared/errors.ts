/**
 * Core never throws HTTP. It throws DomainErrors with a category and a stable code;
 * the gateway's problem filter is the only place that turns them into responses.
 */
import type { FieldError } from '../../contracts/src/field-error';

export const ERROR_CATEGORIES = [
  'not_found',
  'conflict',
  'invalid',
  'unavailable',
  'upstream_failed',
  'upstream_timeout',
  'forbidden',
  'unauthenticated',
  // Too many requests from one client: the caller may try again after `retryAfterSeconds`.
  'rate_limited',
] as const;

export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

export type { FieldError };

export class DomainError extends Error {
  constructor(
    readonly category: ErrorCategory,
    /** Stable, machine-readable, kebab-case; becomes the problem `type` suffix. */
    readonly code: string,
    message: string,
    readonly details: { errors?: FieldError[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
