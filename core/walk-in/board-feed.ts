import type { ServiceNotice } from '../agencies/domain/service-notice';
import type { EventBus, BusHandler, BusSubscription } from '../events/event-bus.port';
import { ticketNumber, type Ticket } from './domain/ticket';
import type { BoardSnapshot, TicketRepository } from './ticket.repository';

/** What a live board shows: who goes to which counter, and how many wait per service. */
export type BoardMessage =
  | { type: 'called'; number: string; counter: string; service: string; recall: boolean; at: string }
  | { type: 'waiting'; waiting: Record<string, number>; at: string }
  /** The services whose agency is down, all of them each time (an empty list: every line goes). */
  | { type: 'notices'; notices: ServiceNotice[]; at: string };

/** Where a board's notice lines come from (core/agencies/agency-notices.ts). */
export interface BoardNotices {
  forCentre(centreCode: string): Promise<ServiceNotice[]>;
}

export function boardTopic(centreCode: string): string {
  return `board:${centreCode}`;
}

/**
 * Tells every replica's boards about queue changes, after they are committed. Losing a message
 * costs a board one update, never data: a board that reconnects starts from a fresh snapshot.
 */
export class BoardFeed {
  constructor(
    private readonly bus: EventBus,
    private readonly tickets: Pick<TicketRepository, 'board' | 'waiting'>,
    private readonly notices: BoardNotices = { forCentre: async () => [] },
  ) {}

  async snapshot(centreCode: string): Promise<BoardSnapshot & { notices: ServiceNotice[] }> {
    const [board, notices] = await Promise.all([this.tickets.board(centreCode), this.notices.forCentre(centreCode)]);
    return { ...board, notices };
  }

  /** Publishes the centre's notice lines as they are now. Never throws: a board catches up on reconnect. */
  async noticesChanged(centreCode: string, at: Date): Promise<void> {
    try {
      const notices = await this.notices.forCentre(centreCode);
      await this.bus.publish(boardTopic(centreCode), { type: 'notices', notices, at: at.toISOString() } satisfies BoardMessage);
    } catch {
      // as for changed()
    }
  }

  subscribe(centreCode: string, handler: (message: BoardMessage) => void): Promise<BusSubscription> {
    return this.bus.subscribe(boardTopic(centreCode), handler as unknown as BusHandler);
  }

  /** Publishes the call (if any) and the new waiting counts. Never throws: the change is already committed. */
  async changed(centreCode: string, at: Date, called?: { ticket: Ticket; recall: boolean }): Promise<void> {
    try {
      if (called && called.ticket.counterCode) {
        const message: BoardMessage = {
          type: 'called',
          number: ticketNumber(called.ticket.letter, called.ticket.number),
          counter: called.ticket.counterCode,
          service: called.ticket.serviceCode,
          recall: called.recall,
          at: at.toISOString(),
        };
        await this.bus.publish(boardTopic(centreCode), message);
      }
      const waiting = await this.tickets.waiting(centreCode);
      await this.bus.publish(boardTopic(centreCode), { type: 'waiting', waiting, at: at.toISOString() } satisfies BoardMessage);
    } catch {
      // A bus or database hiccup after commit: boards catch up on the next change or reconnect.
    }
  }
}
