/**
 * The shapes of the queue's request bodies, checked at the edge of the core. Each failure names
 * the field (JSON pointer), so the problem response says exactly what is wrong.
 */
import { DomainError, type FieldError } from '../../shared/errors';
import { isUuid } from '../../shared/uuid';
import { WALK_IN_PRIORITIES, type WalkInPriority } from './ticket';

export type TicketRequest =
  | { kind: 'walk-in'; serviceCode: string; priority: WalkInPriority }
  | { kind: 'check-in'; bookingReference: string };

export interface FeedbackRequest {
  rating: number;
  comment: string | null;
}

export const MAX_FEEDBACK_COMMENT = 500;
const SERVICE_CODE = /^[a-z0-9][a-z0-9-]{0,63}$/;

function invalid(message: string, errors: FieldError[]): DomainError {
  return new DomainError('invalid', 'validation-failed', message, { errors });
}

function objectBody(body: unknown, allowed: readonly string[]): { value: Record<string, unknown>; errors: FieldError[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('The request body must be a JSON object.', [{ field: '', message: 'must be an object' }]);
  }
  const value = body as Record<string, unknown>;
  const errors = Object.keys(value)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({ field: `/${key}`, message: 'is not a known field' }));
  return { value, errors };
}

/** A walk-in (`service`, optional `priority`) or a check-in (`bookingReference`), never both. */
export function parseTicketRequest(body: unknown): TicketRequest {
  const { value, errors } = objectBody(body, ['service', 'priority', 'bookingReference']);
  const { service, priority, bookingReference } = value;
  if (bookingReference !== undefined) {
    if (typeof bookingReference !== 'string' || bookingReference.trim() === '' || bookingReference.length > 40) {
      errors.push({ field: '/bookingReference', message: 'must be a booking reference' });
    }
    if (service !== undefined) errors.push({ field: '/service', message: 'must not be sent with bookingReference (the booking names the service)' });
    if (priority !== undefined) errors.push({ field: '/priority', message: 'must not be sent with bookingReference (appointments have their own priority)' });
    if (errors.length > 0) throw invalid('The ticket request is not valid.', errors);
    return { kind: 'check-in', bookingReference: (bookingReference as string).trim() };
  }
  if (typeof service !== 'string' || !SERVICE_CODE.test(service)) {
    errors.push({ field: '/service', message: service === undefined ? 'is required (or send bookingReference)' : 'must be a service code' });
  }
  if (priority !== undefined && !(WALK_IN_PRIORITIES as readonly unknown[]).includes(priority)) {
    errors.push({ field: '/priority', message: `must be one of ${WALK_IN_PRIORITIES.join(', ')}` });
  }
  if (errors.length > 0) throw invalid('The ticket request is not valid.', errors);
  return { kind: 'walk-in', serviceCode: service as string, priority: (priority as WalkInPriority | undefined) ?? 'none' };
}

export function parseTransferRequest(body: unknown): { serviceCode: string } {
  const { value, errors } = objectBody(body, ['service']);
  if (typeof value.service !== 'string' || !SERVICE_CODE.test(value.service)) {
    errors.push({ field: '/service', message: value.service === undefined ? 'is required' : 'must be a service code' });
  }
  if (errors.length > 0) throw invalid('The transfer request is not valid.', errors);
  return { serviceCode: value.service as string };
}

export function parseCompleteRequest(body: unknown): { transactionIds: string[] } {
  const { value, errors } = objectBody(body ?? {}, ['transactionIds']);
  const ids = value.transactionIds ?? [];
  if (!Array.isArray(ids) || ids.length > 50) {
    errors.push({ field: '/transactionIds', message: 'must be a list of at most 50 transaction ids' });
  } else {
    ids.forEach((id, index) => {
      if (typeof id !== 'string' || !isUuid(id)) errors.push({ field: `/transactionIds/${index}`, message: 'must be a transaction id (UUID)' });
    });
  }
  if (errors.length > 0) throw invalid('The completion request is not valid.', errors);
  return { transactionIds: [...new Set((ids as string[]).map((id) => id.toLowerCase()))] };
}

export function parseFeedbackRequest(body: unknown): FeedbackRequest {
  const { value, errors } = objectBody(body, ['rating', 'comment']);
  const { rating, comment } = value;
  if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 1 || rating > 5) {
    errors.push({ field: '/rating', message: 'must be a whole number from 1 to 5' });
  }
  if (comment !== undefined && comment !== null && (typeof comment !== 'string' || comment.length > MAX_FEEDBACK_COMMENT)) {
    errors.push({ field: '/comment', message: `must be text of at most ${MAX_FEEDBACK_COMMENT} characters` });
  }
  if (errors.length > 0) throw invalid('The feedback is not valid.', errors);
  const text = typeof comment === 'string' ? comment.trim() : '';
  return { rating: rating as number, comment: text === '' ? null : text };
}
