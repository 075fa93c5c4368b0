import type { Pool } from 'pg';
import { fromAnchor, type AuditLog } from '../../audit/audit-log';
import { isPgError, PG_ERROR, statement, StatementTexts, withTransaction, type Queryable } from '../../db/pool';
import { DomainError } from '../../shared/errors';
import type { NewQueueEvent } from '../domain/queue-event';
import { serviceRank, ticketNumber, type Ticket } from '../domain/ticket';
import {
  TicketRepository,
  type BoardSnapshot,
  type CallNextRequest,
  type CallNextResult,
  type NewFeedback,
  type NewTicket,
  type PlanTicket,
  type QueuePosition,
  type TicketChange,
  type TicketEventOf,
  type TicketPlan,
} from '../ticket.repository';
import { queueEventCtes, recordQueueEvent } from './queue-event.pg';
import { CHANGEABLE_COLUMNS, rankConditions, rankSql, TICKET_COLUMNS, ticketColumns, ticketNumberSql, toTicket, type TicketRow } from './ticket.row';

type CallRow = TicketRow & {
  open_session: string | null;
  session_officer: string | null;
  previous_first_call: Date | null;
  call_ahead_places: number | null;
};

/** The `issued` event's `number`: the ticket's, as the issuing statement assigns it (`A042`). */
const ISSUED_NUMBER = fromAnchor(ticketNumberSql());

/** The ticket to record: the caller's part and its plan (no spread: a walk-in's hot path). */
function withPlan(base: Omit<NewTicket, keyof TicketPlan> & Partial<Pick<NewTicket, 'bookingRef'>>, plan: TicketPlan): NewTicket {
  return {
    id: base.id,
    centreCode: base.centreCode,
    localDay: base.localDay,
    arrivedAt: base.arrivedAt,
    issuedBy: base.issuedBy,
    idempotencyScope: base.idempotencyScope,
    idempotencyKey: base.idempotencyKey,
    phoneSealed: base.phoneSealed,
    phoneHash: base.phoneHash,
    serviceCode: plan.serviceCode,
    letter: plan.letter,
    priorityClass: plan.priorityClass,
    bookingRef: plan.bookingRef,
    slotStart: plan.slotStart,
  };
}

/** When a service has no completed ticket today yet, its estimate assumes five minutes a visit. */
const DEFAULT_SERVICE_SECONDS = 300;

export class PgTicketRepository extends TicketRepository {
  constructor(
    private readonly pool: Pool,
    private readonly audit: AuditLog,
    /** call-next as a named prepared statement (production PostgreSQL; not the embedded database). */
    private readonly prepared = false,
  ) {
    super();
  }

  /**
   * A walk-in (its plan known up front) is one statement in autocommit: it takes the next number
   * (the row lock on the day's counter serialises numbering per centre, day and letter, and is held
   * for this statement only), inserts the ticket, its queue event and its audit event. A check-in
   * works its plan out in a transaction (the booking is marked on the same connection) and then
   * runs the same statement in it. A repeated key or booking makes the ticket insert fail with a
   * unique violation, which aborts the whole statement: no number is consumed.
   */
  async issue(
    base: Omit<NewTicket, keyof TicketPlan> & Partial<Pick<NewTicket, 'bookingRef'>>,
    plan: TicketPlan | PlanTicket,
    event: TicketEventOf,
  ): Promise<{ ticket: Ticket; created: boolean }> {
    const lookup = { idempotencyScope: base.idempotencyScope, idempotencyKey: base.idempotencyKey, bookingRef: base.bookingRef ?? null };
    try {
      if (typeof plan !== 'function') {
        // A plain read holds no lock: the replay check needs no transaction.
        const existing = await this.findExisting(this.pool, lookup);
        if (existing) return { ticket: existing, created: false };
        return { ticket: await this.insertTicket(this.pool, withPlan(base, plan), event), created: true };
      }
      return await withTransaction(this.pool, async (db) => {
        const existing = await this.findExisting(db, lookup);
        if (existing) return { ticket: existing, created: false };
        return { ticket: await this.insertTicket(db, withPlan(base, await plan(db)), event), created: true };
      });
    } catch (error) {
      // A concurrent first request with the same key or booking won: its ticket stands.
      if (!isPgError(error, PG_ERROR.unique_violation)) throw error;
      const existing = await this.findExisting(this.pool, lookup);
      if (!existing) throw error;
      return { ticket: existing, created: false };
    }
  }

  /** Numbers the ticket and records it with its `issued` event (the event's data gets the ticket's `number`): one statement. */
  private async insertTicket(db: Queryable, ticket: NewTicket, eventOf: TicketEventOf): Promise<Ticket> {
    const values: unknown[] = [
      ticket.id,
      ticket.centreCode,
      ticket.localDay,
      ticket.serviceCode,
      ticket.letter,
      ticket.priorityClass,
      ticket.bookingRef,
      ticket.slotStart,
      ticket.arrivedAt,
      ticket.issuedBy,
      ticket.idempotencyScope,
      ticket.idempotencyKey,
      ticket.phoneSealed ?? null,
      ticket.phoneHash ?? null,
    ];
    const event = eventOf(ticket);
    // A fresh object from the caller: the number is known only to the statement that assigns it.
    event.data.number = ISSUED_NUMBER;
    const recorded = queueEventCtes(this.audit, Object.assign(event, { ticketId: ticket.id }), values.length + 1, 'issued');
    for (const value of recorded.params) values.push(value);
    const text = `WITH numbered AS (
           INSERT INTO queue_ticket_numbers (centre_code, local_day, letter, last_number) VALUES ($2::text, $3::date, $5::text, 1)
           ON CONFLICT (centre_code, local_day, letter) DO UPDATE SET last_number = queue_ticket_numbers.last_number + 1
           RETURNING last_number
         ), issued AS (
           INSERT INTO queue_tickets (id, centre_code, local_day, service_code, letter, number, priority_class, booking_ref,
             slot_start, arrived_at, state, issued_by, idempotency_scope, idempotency_key, phone_sealed, phone_hash)
           SELECT $1::uuid, $2::text, $3::date, $4::text, $5::text, n.last_number, $6::text, $7::text, $8::timestamptz, $9::timestamptz,
                  'waiting', $10::text, $11::text, $12::text, $13::bytea, $14::text
             FROM numbered n
           RETURNING *
         ),
         ${recorded.ctes}
         SELECT ${ticketColumns('issued')} FROM issued`;
    const { rows } = await db.query<TicketRow>(statement(text, values, this.prepared));
    return toTicket(rows[0]);
  }

  async findById(id: string): Promise<Ticket | null> {
    const { rows } = await this.pool.query<TicketRow>(`SELECT ${TICKET_COLUMNS} FROM queue_tickets WHERE id = $1`, [id]);
    return rows[0] ? toTicket(rows[0]) : null;
  }

  async waitingToCallAhead(centreCode: string, serviceCode: string): Promise<Array<{ ticket: Ticket; phoneSealed: Buffer | null }>> {
    const { rows } = await this.pool.query<TicketRow & { phone_sealed: Buffer | null }>(
      `SELECT ${TICKET_COLUMNS}, phone_sealed FROM queue_tickets
        WHERE centre_code = $1 AND service_code = $2 AND state = 'waiting' AND (booking_ref IS NOT NULL OR phone_sealed IS NOT NULL)
          AND NOT EXISTS (SELECT 1 FROM ticket_call_aheads c WHERE c.ticket_id = queue_tickets.id)
        ORDER BY arrived_at LIMIT 200`,
      [centreCode, serviceCode],
    );
    return rows.map((row) => ({ ticket: toTicket(row), phoneSealed: row.phone_sealed }));
  }

  /**
   * The claim is a row of ticket_call_aheads, never a write to the waiting ticket (migration 0129):
   * a lock on it, however short, would make a concurrent call-next pass over it. A ticket a counter
   * is calling (or someone is changing) at this moment is not claimed (migration 0139): the claim
   * fails without waiting, and a later call's call-ahead tries again if the ticket still waits.
   */
  async claimCallAhead(id: string, at: Date): Promise<boolean> {
    const { rows } = await this.pool.query<{ claimed: boolean }>('SELECT ticket_call_ahead_claim($1, $2) AS claimed', [id, at]);
    return rows[0].claimed;
  }

  async change(id: string, decide: (ticket: Ticket) => TicketChange): Promise<Ticket | null> {
    return withTransaction(this.pool, async (db) => {
      // In hand (migration 0139): no call-ahead SMS is claimed for the ticket until this change commits.
      const locked = await db.query<TicketRow>(`SELECT ${TICKET_COLUMNS}, ticket_in_hand(id) FROM queue_tickets WHERE id = $1 FOR UPDATE`, [id]);
      if (!locked.rows[0]) return null;
      const ticket = toTicket(locked.rows[0]);
      const { set, event } = decide(ticket);
      const assignments: string[] = [];
      const values: unknown[] = [id];
      for (const [field, column] of Object.entries(CHANGEABLE_COLUMNS)) {
        const value = set[field as keyof typeof set];
        if (value === undefined) continue;
        values.push(value);
        assignments.push(`${column} = $${values.length}`);
      }
      // Out of the queue, the walk-in's phone (kept for the call-ahead SMS only) goes.
      if (set.state !== undefined && set.state !== 'waiting') assignments.push('phone_sealed = NULL', 'phone_hash = NULL');
      // The change, its queue event and its audit event: one statement (the event is written even when nothing changes).
      const changed = assignments.length > 0
        ? `changed AS (UPDATE queue_tickets SET ${assignments.join(', ')} WHERE id = $1 RETURNING ${TICKET_COLUMNS})`
        : `changed AS (SELECT ${TICKET_COLUMNS} FROM queue_tickets WHERE id = $1)`;
      // Into another service's queue, the ticket may be texted again when it nears that queue's front.
      const rearmed = set.serviceCode !== undefined && set.serviceCode !== ticket.serviceCode ? 'rearmed AS (DELETE FROM ticket_call_aheads WHERE ticket_id = $1),\n' : '';
      const recorded = queueEventCtes(this.audit, { ...event, centreCode: ticket.centreCode, localDay: ticket.localDay, ticketId: id }, values.length + 1, 'changed');
      for (const value of recorded.params) values.push(value);
      const { rows } = await db.query<TicketRow>(`WITH ${changed},\n${rearmed}${recorded.ctes}\nSELECT * FROM changed`, values);
      return toTicket(rows[0]);
    });
  }

  /** call-next's text per audit-chain text (one shape): made once, not on every call (issue 13). */
  private readonly callNextTexts = new StatementTexts(4);

  /**
   * One statement, one round trip, one commit: it checks the session (FOR SHARE, so a concurrent
   * close waits until this call is recorded against it), picks the best waiting ticket the counter
   * may serve, marks it called, writes its queue event and its audit event, and reads the centre's
   * call-ahead choice. SKIP LOCKED passes over a ticket another counter is taking at this moment,
   * so no ticket is ever shared (FOR NO KEY UPDATE: a call-ahead claim's key-share lock on the
   * ticket is no reason to pass it over, migration 0129); the picked ticket is then taken in hand,
   * so that no call-ahead SMS is claimed for it while this call is in flight (migration 0139). The
   * pick tries each rank in turn, each an index scan of that rank's partial index in arrival order
   * (migration 0123): a few index entries per call instead of sorting every waiting ticket of the
   * centre. Prepared, it runs on a generic plan after its first few calls (about 0.7 ms of planning
   * saved per call); the board's waiting counts stay a statement of their own, after the commit,
   * because their row estimate would keep this one on custom plans.
   */
  async callNext(request: CallNextRequest, actor: string): Promise<CallNextResult> {
    const values: unknown[] = [request.centreCode, request.counterCode, request.officerId, request.at, request.appointmentLeadMinutes, actor];
    const chain = this.audit.appendChainCtes(
      [
        {
          entityType: 'ticket',
          entityId: fromAnchor('id::text'),
          type: 'called',
          actor,
          data: {
            centre: request.centreCode,
            counter: request.counterCode,
            service: fromAnchor('service_code'),
            number: fromAnchor(ticketNumberSql()),
            first: fromAnchor('previous_first_call IS NULL'),
          },
          occurredAt: request.at,
        },
      ],
      'called',
      values,
    );
    const text = this.callNextTexts.text('call-next', chain, () => callNextText(chain));
    const { rows } = await this.pool.query<CallRow>(statement(text, values, this.prepared));
    const row = rows[0];
    if (!row.open_session) return { outcome: 'counter-closed' };
    if (row.session_officer !== request.officerId) return { outcome: 'other-officer', officerId: row.session_officer as string };
    if (!row.id) return { outcome: 'empty' };
    return { outcome: 'called', ticket: toTicket(row), callAheadPlaces: row.call_ahead_places };
  }

  async position(ticket: Ticket, at: Date, appointmentLeadMinutes: number): Promise<QueuePosition> {
    const rank = serviceRank(ticket, new Date(at.getTime()));
    const { rows } = await this.pool.query<{ ahead: string; counters: string; mean_service: number | null }>(
      `SELECT
         (SELECT count(*) FROM queue_tickets w
           WHERE w.centre_code = $1 AND w.service_code = $2 AND w.state = 'waiting' AND w.id <> $3
             AND (${rankSql(4, 5, 'w')} < $6 OR (${rankSql(4, 5, 'w')} = $6 AND (w.arrived_at, w.id) < ($7::timestamptz, $3::uuid)))) AS ahead,
         (SELECT count(*) FROM counter_sessions s
            JOIN counter_services cs ON cs.centre_code = s.centre_code AND cs.counter_code = s.counter_code
           WHERE s.centre_code = $1 AND s.closed_at IS NULL AND cs.service_code = $2) AS counters,
         (SELECT avg(extract(epoch FROM ended_at - called_at))::float8 FROM queue_tickets
           WHERE centre_code = $1 AND service_code = $2 AND local_day = $8 AND state = 'completed') AS mean_service`,
      [ticket.centreCode, ticket.serviceCode, ticket.id, at, appointmentLeadMinutes, rank, ticket.arrivedAt, ticket.localDay],
    );
    const position = Number(rows[0].ahead) + 1;
    const counters = Math.max(1, Number(rows[0].counters));
    const perVisit = rows[0].mean_service ?? DEFAULT_SERVICE_SECONDS;
    return { position, estimatedWaitSeconds: Math.round(Math.ceil(position / counters) * perVisit) };
  }

  async waiting(centreCode: string): Promise<Record<string, number>> {
    const { rows } = await this.pool.query<{ service_code: string; n: number }>(
      statement(`SELECT service_code, count(*)::int AS n FROM queue_tickets WHERE centre_code = $1 AND state = 'waiting' GROUP BY service_code`, [centreCode], this.prepared),
    );
    return Object.fromEntries(rows.map((r) => [r.service_code, r.n]));
  }

  async unknownTransactions(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<{ id: string }>(`SELECT id FROM transactions WHERE id = ANY($1::uuid[])`, [ids]);
    const known = new Set(rows.map((r) => r.id));
    return ids.filter((id) => !known.has(id));
  }

  async board(centreCode: string): Promise<BoardSnapshot> {
    const [waiting, called] = await Promise.all([
      this.waiting(centreCode),
      this.pool.query<{ letter: string; number: number; counter_code: string; service_code: string; called_at: Date }>(
        `SELECT letter, number, counter_code, service_code, called_at FROM queue_tickets
          WHERE centre_code = $1 AND state = 'called' ORDER BY called_at DESC LIMIT 12`,
        [centreCode],
      ),
    ]);
    return {
      waiting,
      called: called.rows.map((r) => ({
        number: ticketNumber(r.letter, r.number),
        counter: r.counter_code,
        service: r.service_code,
        calledAt: r.called_at.toISOString(),
      })),
    };
  }

  async addFeedback(
    ticketId: string,
    feedback: NewFeedback,
    decide: (ticket: Ticket) => Omit<NewQueueEvent, 'centreCode' | 'localDay' | 'ticketId'>,
  ): Promise<Ticket | null> {
    return withTransaction(this.pool, async (db) => {
      const locked = await db.query<TicketRow>(`SELECT ${TICKET_COLUMNS} FROM queue_tickets WHERE id = $1 FOR UPDATE`, [ticketId]);
      if (!locked.rows[0]) return null;
      const ticket = toTicket(locked.rows[0]);
      const event = decide(ticket);
      const inserted = await db.query(
        `INSERT INTO ticket_feedback (ticket_id, rating, comment_sealed, counter_code, given_at, given_by)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (ticket_id) DO NOTHING`,
        [ticketId, feedback.rating, feedback.commentSealed, ticket.counterCode, feedback.at, feedback.givenBy],
      );
      if (inserted.rowCount === 0) {
        throw new DomainError('conflict', 'feedback-already-given', `Feedback for ticket ${ticketNumber(ticket.letter, ticket.number)} was already given.`);
      }
      await recordQueueEvent(db, this.audit, { ...event, centreCode: ticket.centreCode, localDay: ticket.localDay, ticketId });
      return ticket;
    });
  }

  private async findExisting(db: Pick<Pool, 'query'>, ticket: Pick<NewTicket, 'idempotencyScope' | 'idempotencyKey' | 'bookingRef'>): Promise<Ticket | null> {
    if (ticket.idempotencyKey !== null) {
      const { rows } = await db.query<TicketRow>(
        `SELECT ${TICKET_COLUMNS} FROM queue_tickets WHERE idempotency_scope = $1 AND idempotency_key = $2`,
        [ticket.idempotencyScope, ticket.idempotencyKey],
      );
      if (rows[0]) return toTicket(rows[0]);
    }
    if (ticket.bookingRef !== null) {
      const { rows } = await db.query<TicketRow>(`SELECT ${TICKET_COLUMNS} FROM queue_tickets WHERE booking_ref = $1`, [ticket.bookingRef]);
      if (rows[0]) return toTicket(rows[0]);
    }
    return null;
  }
}

/** call-next's statement around the audit chain's CTEs (see PgTicketRepository.callNext). */
function callNextText(chainCtes: string): string {
  const ranks = rankConditions(4, 5, 't');
  const pick = (rank: number): string =>
    `rank${rank} AS (
         SELECT t.id, t.first_called_at AS previous_first_call FROM queue_tickets t
          WHERE t.centre_code = $1 AND t.state = 'waiting' AND ${ranks[rank]}
            AND EXISTS (SELECT 1 FROM session WHERE session.officer_id = $3)
            ${Array.from({ length: rank }, (_, better) => `AND NOT EXISTS (SELECT 1 FROM rank${better})`).join(' ')}
            AND t.service_code IN (SELECT service_code FROM services)
          ORDER BY t.arrived_at, t.local_day, t.number, t.id
          LIMIT 1
          FOR NO KEY UPDATE OF t SKIP LOCKED
       )`;
  return `WITH session AS (
         SELECT id, officer_id FROM counter_sessions
          WHERE centre_code = $1 AND counter_code = $2 AND closed_at IS NULL
          FOR SHARE
       ), services AS (
         SELECT service_code FROM counter_services WHERE centre_code = $1 AND counter_code = $2
       ), ${pick(0)}, ${pick(1)}, ${pick(2)},
       next AS (SELECT * FROM rank0 UNION ALL SELECT * FROM rank1 UNION ALL SELECT * FROM rank2 LIMIT 1),
       called AS (
         UPDATE queue_tickets q
            SET state = 'called', counter_code = $2, session_id = (SELECT id FROM session), officer_id = $3, called_at = $4,
                first_called_at = COALESCE(q.first_called_at, $4), phone_sealed = NULL, phone_hash = NULL
           FROM next WHERE q.id = next.id
         RETURNING q.*, next.previous_first_call, ticket_in_hand(q.id)
       ), event AS (
         INSERT INTO queue_events (centre_code, local_day, type, ticket_id, session_id, counter_code, officer_id, service_code, occurred_at, actor, data)
         SELECT c.centre_code, c.local_day, 'called', c.id, c.session_id, c.counter_code, c.officer_id, c.service_code, $4, $6,
                jsonb_build_object(
                  'number', ${ticketNumberSql('c')},
                  'arrivedAt', to_char(c.arrived_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                  'first', c.previous_first_call IS NULL,
                  'priority', c.priority_class)
           FROM called c
       ),
       ${chainCtes}
       SELECT s.id AS open_session, s.officer_id AS session_officer, c.previous_first_call, ${ticketColumns('c')},
              (SELECT call_ahead_places FROM centre_notice_choices WHERE centre_code = $1) AS call_ahead_places
         FROM (SELECT 1) AS one LEFT JOIN session s ON true LEFT JOIN called c ON true`;
}
