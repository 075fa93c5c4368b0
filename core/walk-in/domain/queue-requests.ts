/**
 * The queue's request bodies, valid against their schemas (ticket-request, ticket-completion,
 * feedback; checked at the edge), as the use cases work with them.
 */
import type { Feedback, TicketCompletion, TicketRequest as TicketRequestBody } from '../../../contracts/src/message.types';
import { normalisePhone, type Phone } from '../../bookings/domain/booking';
import type { WalkInPriority } from './ticket';

export type TicketRequest =
  | { kind: 'walk-in'; serviceCode: string; priority: WalkInPriority; phone: Phone | null }
  | { kind: 'check-in'; bookingReference: string };

export interface FeedbackRequest {
  rating: number;
  comment: string | null;
}

/** A walk-in or a check-in: the schema allows `bookingReference` alone, or `service` with an optional `priority`. */
export function ticketRequest(body: TicketRequestBody): TicketRequest {
  if (body.bookingReference !== undefined) return { kind: 'check-in', bookingReference: body.bookingReference.trim() };
  return { kind: 'walk-in', serviceCode: body.service as string, priority: body.priority ?? 'none', phone: body.phone === undefined ? null : normalisePhone(body.phone) };
}

/** The transactions of the visit, each once, lower case. */
export function completedTransactions(body: TicketCompletion): string[] {
  return [...new Set((body.transactionIds ?? []).map((id) => id.toLowerCase()))];
}

export function feedbackRequest(body: Feedback): FeedbackRequest {
  const comment = body.comment?.trim() ?? '';
  return { rating: body.rating, comment: comment === '' ? null : comment };
}
