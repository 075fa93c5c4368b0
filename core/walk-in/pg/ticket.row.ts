import type { PriorityClass, Ticket, TicketState } from '../domain/ticket';

const COLUMN_NAMES = [
  'id', 'centre_code', 'local_day', 'service_code', 'letter', 'number', 'priority_class', 'booking_ref', 'slot_start', 'arrived_at',
  'state', 'counter_code', 'session_id', 'officer_id', 'first_called_at', 'called_at', 'recalls', 'ended_at', 'transaction_ids',
] as const;

/** The select list of a ticket row, optionally qualified by a table alias (`local_day` as text: a date, not a Date). */
export function ticketColumns(alias = ''): string {
  const t = alias ? `${alias}.` : '';
  return COLUMN_NAMES.map((c) => (c === 'local_day' ? `${t}local_day::text AS local_day` : `${t}${c}`)).join(', ');
}

export const TICKET_COLUMNS = ticketColumns();

export interface TicketRow {
  id: string;
  centre_code: string;
  local_day: string;
  service_code: string;
  letter: string;
  number: number;
  priority_class: PriorityClass;
  booking_ref: string | null;
  slot_start: Date | null;
  arrived_at: Date;
  state: TicketState;
  counter_code: string | null;
  session_id: string | null;
  officer_id: string | null;
  first_called_at: Date | null;
  called_at: Date | null;
  recalls: number;
  ended_at: Date | null;
  transaction_ids: string[];
}

export function toTicket(row: TicketRow): Ticket {
  return {
    id: row.id,
    centreCode: row.centre_code,
    localDay: row.local_day,
    serviceCode: row.service_code,
    letter: row.letter,
    number: row.number,
    priorityClass: row.priority_class,
    bookingRef: row.booking_ref,
    slotStart: row.slot_start,
    arrivedAt: row.arrived_at,
    state: row.state,
    counterCode: row.counter_code,
    sessionId: row.session_id,
    officerId: row.officer_id,
    firstCalledAt: row.first_called_at,
    calledAt: row.called_at,
    recalls: row.recalls,
    endedAt: row.ended_at,
    transactionIds: row.transaction_ids ?? [],
  };
}

/** Ticket fields a change may set, and their columns (nothing else reaches the SQL). */
export const CHANGEABLE_COLUMNS = {
  state: 'state',
  serviceCode: 'service_code',
  counterCode: 'counter_code',
  sessionId: 'session_id',
  officerId: 'officer_id',
  calledAt: 'called_at',
  firstCalledAt: 'first_called_at',
  recalls: 'recalls',
  endedAt: 'ended_at',
  transactionIds: 'transaction_ids',
} as const satisfies Partial<Record<keyof Ticket, string>>;

/**
 * The rank of call-next (see serviceRank in domain/ticket.ts, which it mirrors): $now and
 * $lead are the statement's parameters numbered `nowParam` and `leadParam`.
 */
export function rankSql(nowParam: number, leadParam: number, alias = ''): string {
  const t = alias ? `${alias}.` : '';
  return `CASE WHEN ${t}priority_class = 'appointment'
                AND ${t}slot_start <= $${nowParam}::timestamptz + make_interval(mins => $${leadParam}::int) THEN 0
              WHEN ${t}priority_class IN ('elderly', 'disability', 'expectant') THEN 1
              ELSE 2 END`;
}
