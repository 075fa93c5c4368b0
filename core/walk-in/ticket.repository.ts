import type { PoolClient } from 'pg';
import type { NewQueueEvent } from './domain/queue-event';
import type { PriorityClass, Ticket } from './domain/ticket';

export interface NewTicket {
  id: string;
  centreCode: string;
  localDay: string;
  serviceCode: string;
  letter: string;
  priorityClass: PriorityClass;
  bookingRef: string | null;
  slotStart: Date | null;
  arrivedAt: Date;
  issuedBy: string;
  idempotencyScope: string | null;
  idempotencyKey: string | null;
  /** A walk-in's phone for the call-ahead SMS, sealed by the caller (PersonalDataVault); absent or null when none was given. */
  phoneSealed?: Buffer | null;
  /** Its keyed hash (PersonalDataVault.lookupHash of the normalised number), by which erasure finds the ticket; with `phoneSealed`. */
  phoneHash?: string | null;
}

/** What the ticket is for: known up front for a walk-in, from the booking for a check-in. */
export type TicketPlan = Pick<NewTicket, 'serviceCode' | 'letter' | 'priorityClass' | 'bookingRef' | 'slotStart'>;

/**
 * Works the plan out inside the ticket's database transaction (a check-in marks the booking with
 * `db`, so the booking and its ticket commit together or not at all).
 */
export type PlanTicket = (db: PoolClient) => Promise<TicketPlan>;

/**
 * The ticket's `issued` event, from the ticket about to be numbered: the repository adds the
 * ticket's id and, to its data, the `number` it assigns (`A042`).
 */
export type TicketEventOf = (ticket: NewTicket) => Omit<NewQueueEvent, 'ticketId'>;

/** What a decision about a locked ticket changes, and the event that records it. */
export interface TicketChange {
  set: Partial<Pick<Ticket, 'state' | 'serviceCode' | 'counterCode' | 'sessionId' | 'officerId' | 'calledAt' | 'firstCalledAt' | 'recalls' | 'endedAt' | 'transactionIds'>>;
  event: Omit<NewQueueEvent, 'centreCode' | 'localDay' | 'ticketId'>;
}

export interface CallNextRequest {
  centreCode: string;
  counterCode: string;
  officerId: string;
  at: Date;
  /** Appointments whose slot starts before `at` + this many minutes go first. */
  appointmentLeadMinutes: number;
}

export type CallNextResult =
  | {
      outcome: 'called';
      ticket: Ticket;
      /** The centre's call-ahead choice (NoticeChoices.callAheadPlaces), read with the call. */
      callAheadPlaces: number | null;
    }
  | { outcome: 'empty' }
  | { outcome: 'counter-closed' }
  | { outcome: 'other-officer'; officerId: string };

export interface QueuePosition {
  /** 1 = next to be called for this service. */
  position: number;
  estimatedWaitSeconds: number;
}

export interface BoardSnapshot {
  /** Waiting tickets per service. */
  waiting: Record<string, number>;
  /** Tickets now at a counter, most recent call first. */
  called: Array<{ number: string; counter: string; service: string; calledAt: string }>;
}

export interface NewFeedback {
  rating: number;
  /** The comment, sealed by the caller (PersonalDataVault). */
  commentSealed: Buffer | null;
  givenBy: string;
  at: Date;
}

/** Tickets, their numbering, call-next and feedback; the pg implementation lives in ./pg. */
export abstract class TicketRepository {
  /**
   * Numbers and records a ticket with its `issued` event. When the idempotency key (or the booking
   * reference) was used before, nothing is written, no number is used, and the existing ticket
   * comes back. A plan known up front (a walk-in) needs no transaction around the write.
   */
  abstract issue(
    ticket: Omit<NewTicket, keyof TicketPlan> & Partial<Pick<NewTicket, 'bookingRef'>>,
    plan: TicketPlan | PlanTicket,
    event: TicketEventOf,
  ): Promise<{ ticket: Ticket; created: boolean }>;

  abstract findById(id: string): Promise<Ticket | null>;

  /**
   * Locks the ticket, lets `decide` (pure domain rules; may throw a DomainError) say what changes,
   * and writes the change with its event in one database transaction. Null when there is no such ticket.
   */
  abstract change(id: string, decide: (ticket: Ticket) => TicketChange): Promise<Ticket | null>;

  /**
   * Gives the best waiting ticket among the services the counter serves to the officer's open
   * session at that counter. Two concurrent callers never get the same ticket.
   */
  abstract callNext(request: CallNextRequest, actor: string): Promise<CallNextResult>;

  abstract position(ticket: Ticket, at: Date, appointmentLeadMinutes: number): Promise<QueuePosition>;

  /**
   * Waiting tickets of a service whose holder's phone is known (a checked-in booking, or a walk-in
   * who gave one: `phoneSealed`) and who has had no call-ahead SMS yet in this queue (a transfer re-arms it).
   */
  abstract waitingToCallAhead(centreCode: string, serviceCode: string): Promise<Array<{ ticket: Ticket; phoneSealed: Buffer | null }>>;

  /**
   * True the first time for a still-waiting ticket: the caller sends the call-ahead SMS then, and
   * only then. The ticket itself is not written (a concurrent call-next must not find it locked);
   * a walk-in's sealed phone goes when the ticket leaves the queue.
   */
  abstract claimCallAhead(id: string, at: Date): Promise<boolean>;

  abstract board(centreCode: string): Promise<BoardSnapshot>;

  /** Waiting tickets per service at the centre. */
  abstract waiting(centreCode: string): Promise<Record<string, number>>;

  /** Those of `ids` that name no transaction. */
  abstract unknownTransactions(ids: string[]): Promise<string[]>;

  /** Records feedback for a completed ticket; conflict `feedback-already-given` on a second one. */
  abstract addFeedback(ticketId: string, feedback: NewFeedback, decide: (ticket: Ticket) => Omit<NewQueueEvent, 'centreCode' | 'localDay' | 'ticketId'>): Promise<Ticket | null>;
}
