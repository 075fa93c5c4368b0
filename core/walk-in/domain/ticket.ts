/**
 * A queue ticket: one citizen's visit to one centre on one day, from issue to completion
 * (Qmatic's "visit"). Plain data and rules; no SQL, no HTTP.
 *
 *   waiting ──call-next──> called ──complete──> completed
 *      ^                     │ └──no-show──> no_show
 *      └──────transfer───────┘ (recall: called → called, same counter)
 */
import type { Ticket as TicketMessage } from '../../../contracts/src/message.types';

export const PRIORITY_CLASSES = ['appointment', 'elderly', 'disability', 'expectant', 'none'] as const;
export type PriorityClass = (typeof PRIORITY_CLASSES)[number];

/** What a walk-in may ask for at the kiosk; `appointment` comes only from checking a booking in. */
export const WALK_IN_PRIORITIES = ['elderly', 'disability', 'expectant', 'none'] as const;
export type WalkInPriority = (typeof WALK_IN_PRIORITIES)[number];

export const TICKET_STATES = ['waiting', 'called', 'completed', 'no_show'] as const;
export type TicketState = (typeof TICKET_STATES)[number];

/**
 * How long before its slot a checked-in appointment jumps the queue. Earlier than that the
 * citizen waits like a walk-in: Service by Appointment promises the slot, not a head start.
 */
export const APPOINTMENT_LEAD_MINUTES = 15;

export interface Ticket {
  id: string;
  centreCode: string;
  /** The centre's local date of issue, `YYYY-MM-DD`. */
  localDay: string;
  serviceCode: string;
  letter: string;
  number: number;
  priorityClass: PriorityClass;
  bookingRef: string | null;
  slotStart: Date | null;
  arrivedAt: Date;
  state: TicketState;
  counterCode: string | null;
  sessionId: string | null;
  officerId: string | null;
  firstCalledAt: Date | null;
  calledAt: Date | null;
  recalls: number;
  endedAt: Date | null;
  transactionIds: string[];
}

/** `A042`: the letter of the service it was issued for, and the day's running number. */
export function ticketNumber(letter: string, number: number): string {
  return `${letter}${String(number).padStart(3, '0')}`;
}

/**
 * Order of service (lower first): appointments near their slot, then the protected classes,
 * then everyone else; within a rank, arrival order (tickets issued at the same instant: by number).
 * Mirrored by the ORDER BY of call-next.
 */
export function serviceRank(ticket: Pick<Ticket, 'priorityClass' | 'slotStart'>, now: Date): 0 | 1 | 2 {
  if (ticket.priorityClass === 'appointment' && ticket.slotStart && ticket.slotStart.getTime() <= now.getTime() + APPOINTMENT_LEAD_MINUTES * 60_000) {
    return 0;
  }
  if (ticket.priorityClass === 'elderly' || ticket.priorityClass === 'disability' || ticket.priorityClass === 'expectant') return 1;
  return 2;
}

/** The public face of a ticket (ticket.v1.json; no personal data: a ticket never holds any). */
export type TicketView = TicketMessage;

export function toTicketView(ticket: Ticket): TicketView {
  return {
    id: ticket.id,
    centre: ticket.centreCode,
    number: ticketNumber(ticket.letter, ticket.number),
    service: ticket.serviceCode,
    priority: ticket.priorityClass,
    bookingReference: ticket.bookingRef,
    state: ticket.state,
    arrivedAt: ticket.arrivedAt.toISOString(),
    counter: ticket.counterCode,
    calledAt: ticket.calledAt?.toISOString() ?? null,
    recalls: ticket.recalls,
    endedAt: ticket.endedAt?.toISOString() ?? null,
    transactionIds: ticket.transactionIds,
  };
}
