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

/** A busy centre's waiting counts: at most about four a second (a board's reader sees no more). */
export const WAITING_COUNT_SPACING_MS = 250;

export function boardTopic(centreCode: string): string {
  return `board:${centreCode}`;
}

/**
 * Tells every replica's boards about queue changes, after they are committed. Losing a message
 * costs a board one update, never data: a board that reconnects starts from a fresh snapshot.
 */
export class BoardFeed {
  /** Per centre: the latest change no count has started after yet (see waitingChanged). */
  private readonly countDue = new Map<string, Date>();
  /** Centres whose waiting counts are being counted and published now. */
  private readonly counting = new Set<string>();

  constructor(
    private readonly bus: EventBus,
    private readonly tickets: Pick<TicketRepository, 'board' | 'waiting'>,
    private readonly notices: BoardNotices = { forCentre: async () => [] },
    /** The least time from one count of a centre's waiting tickets to the next (see waitingChanged). */
    private readonly countSpacingMs = WAITING_COUNT_SPACING_MS,
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

  /**
   * Publishes the call (if any), then the new waiting counts. Never throws: the change is already
   * committed. Resolves once the call is published; the counts follow without holding up the
   * caller's answer (see waitingChanged).
   */
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
    } catch {
      // A bus hiccup after commit: boards catch up on the next change or reconnect.
    }
    this.waitingChanged(centreCode, at);
  }

  /**
   * The waiting counts are a count over the centre's waiting tickets: with 20 counters calling at
   * once, counting and publishing once per call was most of a call's cost, each count soon stale.
   * So a centre has at most one count running: changes while it runs make one more count, started
   * after the last of them, and no sooner than countSpacingMs after the one before (back to back,
   * the counts of a busy centre were a sixth of call-next's statements, each reading every waiting
   * ticket). Every change is still followed by a published count that includes it, and the last
   * count published is read after the last change; only counts nobody could see for more than a
   * moment are not sent. A change after a quiet spell is counted at once.
   */
  private waitingChanged(centreCode: string, at: Date): void {
    const due = this.countDue.get(centreCode);
    if (!due || at > due) this.countDue.set(centreCode, at);
    if (this.counting.has(centreCode)) return;
    this.counting.add(centreCode);
    void this.countWhileDue(centreCode);
  }

  private async countWhileDue(centreCode: string): Promise<void> {
    try {
      for (let at = this.countDue.get(centreCode); at; at = this.countDue.get(centreCode)) {
        this.countDue.delete(centreCode);
        const started = performance.now();
        try {
          const waiting = await this.tickets.waiting(centreCode);
          await this.bus.publish(boardTopic(centreCode), { type: 'waiting', waiting, at: at.toISOString() } satisfies BoardMessage);
        } catch {
          // A bus or database hiccup after commit: boards catch up on the next change or reconnect.
        }
        // Changes made meanwhile wait out the spacing, and the changes made while they wait join them.
        const rest = started + this.countSpacingMs - performance.now();
        if (rest > 0 && this.countDue.has(centreCode)) await new Promise((resolve) => setTimeout(resolve, rest).unref());
      }
    } finally {
      this.counting.delete(centreCode);
    }
  }
}
