import type { Clock } from '../../shared/clock';
import { DomainError } from '../../shared/errors';
import type { BoardFeed } from '../board-feed';
import { isUuid } from '../../shared/uuid';
import type { TicketCompletion, TicketTransfer } from '../../../contracts/src/message.types';
import { completedTransactions } from '../domain/queue-requests';
import { ticketNumber, toTicketView, type Ticket, type TicketState, type TicketView } from '../domain/ticket';
import type { TicketChange, TicketRepository } from '../ticket.repository';
import { letterFor } from './issue-ticket';
import { authorize, type Actor } from '../../authorization';
import { centreNamed, type CentreDirectory } from './queue-access';

export interface TicketCommand {
  ticketId: string;
  caller: Actor;
}

/**
 * POST /v1/tickets/{id}/recall|transfer|no-show|complete. Each decision is taken on the locked
 * row (TicketRepository.change), so two officers acting on one ticket at once cannot both win.
 */
export class TicketActions {
  constructor(
    private readonly centres: CentreDirectory,
    private readonly tickets: TicketRepository,
    private readonly board: BoardFeed,
    private readonly clock: Clock,
  ) {}

  async get(command: TicketCommand): Promise<TicketView> {
    return toTicketView(await this.visible(command, 'ticket.read'));
  }

  /** Calls the same ticket to the same counter again (the citizen did not come forward). */
  async recall(command: TicketCommand): Promise<TicketView> {
    const now = this.clock.now();
    const ticket = await this.decide(command, (t) => {
      expectState(t, ['called'], 'recalled');
      return { set: { recalls: t.recalls + 1 }, event: this.event('recalled', t, command, now, { recall: t.recalls + 1 }) };
    });
    await this.board.changed(ticket.centreCode, now, { ticket, recall: true });
    return toTicketView(ticket);
  }

  /** Sends the ticket to another service's queue, keeping its number and its arrival time. */
  async transfer(command: TicketCommand & { body: TicketTransfer }): Promise<TicketView> {
    const serviceCode = command.body.service;
    const current = await this.visible(command, 'ticket.serve');
    const centre = await centreNamed(this.centres, current.centreCode);
    letterFor(centre, serviceCode, '/service');
    const now = this.clock.now();
    const ticket = await this.decide(command, (t) => {
      expectState(t, ['waiting', 'called'], 'transferred');
      if (t.serviceCode === serviceCode) {
        throw new DomainError('invalid', 'same-service', `Ticket ${ticketNumber(t.letter, t.number)} already waits for ${serviceCode}.`, {
          errors: [{ field: '/service', message: 'is the service the ticket already has' }],
        });
      }
      return {
        set: { state: 'waiting', serviceCode, counterCode: null, sessionId: null, officerId: null, calledAt: null },
        event: this.event('transferred', t, command, now, { from: t.serviceCode, to: serviceCode, ...(t.calledAt ? { calledAt: t.calledAt.toISOString() } : {}) }),
      };
    });
    await this.board.changed(ticket.centreCode, now);
    return toTicketView(ticket);
  }

  async noShow(command: TicketCommand): Promise<TicketView> {
    const now = this.clock.now();
    const ticket = await this.decide(command, (t) => {
      expectState(t, ['called'], 'marked no-show');
      return { set: { state: 'no_show', endedAt: now }, event: this.event('no_show', t, command, now, { calledAt: t.calledAt?.toISOString() }) };
    });
    await this.board.changed(ticket.centreCode, now);
    return toTicketView(ticket);
  }

  /** Ends the visit, linking the transactions submitted for the citizen during it. */
  async complete(command: TicketCommand & { body: TicketCompletion }): Promise<TicketView> {
    const transactionIds = completedTransactions(command.body);
    const unknown = await this.tickets.unknownTransactions(transactionIds);
    if (unknown.length > 0) {
      throw new DomainError('invalid', 'transaction-unknown', 'Some transaction ids name no transaction.', {
        errors: unknown.map((id) => ({ field: `/transactionIds/${transactionIds.indexOf(id)}`, message: 'names no transaction' })),
      });
    }
    const now = this.clock.now();
    const ticket = await this.decide(command, (t) => {
      expectState(t, ['called'], 'completed');
      return {
        set: { state: 'completed', endedAt: now, transactionIds },
        event: this.event('completed', t, command, now, { calledAt: t.calledAt?.toISOString(), transactionIds }),
      };
    });
    return toTicketView(ticket);
  }

  private event(type: TicketChange['event']['type'], t: Ticket, command: TicketCommand, at: Date, data: Record<string, unknown>): TicketChange['event'] {
    return {
      type,
      sessionId: t.sessionId ?? undefined,
      counterCode: t.counterCode ?? undefined,
      officerId: t.officerId ?? undefined,
      serviceCode: t.serviceCode,
      occurredAt: at,
      actor: command.caller.subject,
      data: { number: ticketNumber(t.letter, t.number), ...data },
    };
  }

  private async decide(command: TicketCommand, rule: (ticket: Ticket) => TicketChange): Promise<Ticket> {
    if (!isUuid(command.ticketId)) throw notFound(command.ticketId);
    authorize(command.caller, 'ticket.serve');
    const changed = await this.tickets.change(command.ticketId.toLowerCase(), (ticket) => {
      authorize(command.caller, 'ticket.serve', { centre: ticket.centreCode });
      return rule(ticket);
    });
    if (!changed) throw notFound(command.ticketId);
    return changed;
  }

  /** The ticket, if it exists and the caller works where it was issued (to anyone else it does not exist). */
  private async visible(command: TicketCommand, action: 'ticket.read' | 'ticket.serve'): Promise<Ticket> {
    authorize(command.caller, action);
    const ticket = isUuid(command.ticketId) ? await this.tickets.findById(command.ticketId.toLowerCase()) : null;
    if (!ticket) throw notFound(command.ticketId);
    authorize(command.caller, action, { centre: ticket.centreCode });
    return ticket;
  }
}

function notFound(id: string): DomainError {
  return new DomainError('not_found', 'ticket-not-found', `No ticket ${id.slice(0, 40)}.`);
}

function expectState(ticket: Ticket, allowed: TicketState[], action: string): void {
  if (!allowed.includes(ticket.state)) {
    const number = ticketNumber(ticket.letter, ticket.number);
    throw new DomainError('conflict', 'ticket-state', `Ticket ${number} is ${ticket.state.replace('_', '-')} and cannot be ${action}.`);
  }
}
