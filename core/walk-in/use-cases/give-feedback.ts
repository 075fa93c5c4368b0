import type { Clock } from '../../shared/clock';
import { DomainError } from '../../shared/errors';
import type { PersonalDataVault } from '../../shared/personal-data';
import { isUuid } from '../../shared/uuid';
import type { Feedback } from '../../../contracts/src/message.types';
import { feedbackRequest } from '../domain/queue-requests';
import { ticketNumber } from '../domain/ticket';
import type { TicketRepository } from '../ticket.repository';
import { authorize, type Actor } from '../../authorization';

export interface FeedbackReceipt {
  ticketId: string;
  number: string;
  rating: number;
  givenAt: string;
}

/**
 * POST /v1/tickets/{id}/feedback from the counter's feedback device or the portal: a rating of the
 * finished visit, once per ticket. The comment is free text and may hold personal data: it is
 * sealed at rest and never put in an event.
 */
export class GiveFeedback {
  constructor(
    private readonly tickets: TicketRepository,
    private readonly vault: PersonalDataVault,
    private readonly clock: Clock,
  ) {}

  async execute(ticketId: string, body: Feedback, caller: Actor): Promise<FeedbackReceipt> {
    authorize(caller, 'ticket.feedback');
    const feedback = feedbackRequest(body);
    if (!isUuid(ticketId)) throw new DomainError('not_found', 'ticket-not-found', `No ticket ${ticketId.slice(0, 40)}.`);
    const now = this.clock.now();
    const commentSealed = feedback.comment === null ? null : this.vault.seal(feedback.comment);
    const ticket = await this.tickets.addFeedback(ticketId.toLowerCase(), { rating: feedback.rating, commentSealed, givenBy: caller.subject, at: now }, (t) => {
      authorize(caller, 'ticket.feedback', { centre: t.centreCode });
      if (t.state !== 'completed') {
        throw new DomainError('conflict', 'ticket-not-completed', `Ticket ${ticketNumber(t.letter, t.number)} is ${t.state.replace('_', '-')}; feedback follows a completed visit.`);
      }
      return {
        type: 'feedback',
        sessionId: t.sessionId ?? undefined,
        counterCode: t.counterCode ?? undefined,
        officerId: t.officerId ?? undefined,
        serviceCode: t.serviceCode,
        occurredAt: now,
        actor: caller.subject,
        data: { rating: feedback.rating },
      };
    });
    if (!ticket) throw new DomainError('not_found', 'ticket-not-found', `No ticket ${ticketId.slice(0, 40)}.`);
    return { ticketId: ticket.id, number: ticketNumber(ticket.letter, ticket.number), rating: feedback.rating, givenAt: now.toISOString() };
  }
}
