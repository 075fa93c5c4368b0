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

/** The ticket's number as ticketNumber (domain/ticket.ts) writes it, `A042`, from a row's letter and number. */
export function ticketNumberSql(alias = ''): string {
  const t = alias ? `${alias}.` : '';
  return `${t}letter || CASE WHEN ${t}number < 1000 THEN lpad(${t}number::text, 3, '0') ELSE ${t}number::text END`;
}

/**
 * Each rank of call-next (see serviceRank in domain/ticket.ts, which they mirror) as a condition on
 * a ticket: [0] appointments due within the lead, [1] the protected classes, [2] everyone else.
 * Exactly one holds for any ticket. $now and $lead are the statement's parameters numbered
 * `nowParam` and `leadParam`. Each condition names its priority classes as literals, so that the
 * planner can use the partial index of that rank (migration 0123), which lists the waiting tickets
 * of a centre in the order of service.
 */
export function rankConditions(nowParam: number, leadParam: number, alias = ''): [string, string, string] {
  const t = alias ? `${alias}.` : '';
  const due = `$${nowParam}::timestamptz + make_interval(mins => $${leadParam}::int)`;
  return [
    `${t}priority_class = 'appointment' AND ${t}slot_start <= ${due}`,
    `${t}priority_class IN ('elderly', 'disability', 'expectant')`,
    `${t}priority_class IN ('none', 'appointment') AND (${t}priority_class = 'none' OR ${t}slot_start IS NULL OR ${t}slot_start > ${due})`,
  ];
}

/** The rank of call-next as a number (0, 1 or 2), from rankConditions. */
export function rankSql(nowParam: number, leadParam: number, alias = ''): string {
  const [due, protectedClass] = rankConditions(nowParam, leadParam, alias);
  return `CASE WHEN ${due} THEN 0 WHEN ${protectedClass} THEN 1 ELSE 2 END`;
}
