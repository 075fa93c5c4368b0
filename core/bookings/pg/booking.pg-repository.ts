import type { Pool, PoolClient } from 'pg';
import type { NewAuditEvent } from '../../audit/audit-event';
import type { AuditLog } from '../../audit/audit-log';
import { PG_ERROR, pgConstraint, pgErrorCode, statement, StatementTexts, withTransaction, type Queryable } from '../../db/pool';
import { answerJson, KeyAlreadyClaimed } from '../../idempotency/domain/idempotent-request';
import { DomainError } from '../../shared/errors';
import { storeDataKeyCte } from '../../privacy/pg/citizen-keys.sql';
import { newBookingReference } from '../domain/booking-reference';
import type { BookingRecord, BookingStatus, SlotChoice } from '../domain/booking';
import { BookingRepository, CentreChanged, type BookingClaim, type NewBooking, type ReleasedBooking, type SlotUsage } from '../booking.repository';
import { bookingColumns, fromRow, type BookingRow } from './booking.row';

const ONE_PER_DAY = 'bookings_one_active_per_citizen_service_day';
const REFERENCE_UNIQUE = 'bookings_reference_key';
const KEY_UNIQUE = 'idempotency_keys_pkey';

export class PgBookingRepository extends BookingRepository {
  constructor(
    private readonly pool: Pool,
    private readonly audit: AuditLog,
    /** The booking statement as a named prepared statement (production PostgreSQL; not the embedded database). */
    private readonly prepared = false,
  ) {
    super();
  }

  /** insertText's texts by shape, then by the audit chain's CTEs (shapes are few: flags × chain shapes). */
  private readonly insertTexts = new StatementTexts(8);

  /**
   * One statement: the place in the slot (its row created on first use), the booking, its data key
   * and its audit event, or nothing. The slot's row is an upsert that adds the place only while
   * `booked < capacity`: under READ COMMITTED it waits for the row lock and re-checks the newest
   * version, so concurrent bookings serialise on the slot and never overfill it; no place, no
   * booking (and no event). The one-booking-per-day index refuses the whole statement.
   *
   * Before the place, centre_version_holds (migration 0133) checks that the centre is still at
   * `centreVersion`, the one its hours and capacity were read at, waiting for a change of the centre
   * in progress: a version that moved takes no place, and CentreChanged is thrown.
   *
   * With a claim, the caller's Idempotency-Key is claimed (and answered) in the same statement,
   * after the place: a key held already takes no place (`key_taken`), and a twin that claims it
   * between our look and our insert makes the key's insert fail, which undoes the whole statement.
   * Nothing is read back: the row is what we wrote. Named and prepared on real PostgreSQL.
   */
  async insert(booking: NewBooking, slot: SlotChoice, centreVersion: number, event: NewAuditEvent, claim?: BookingClaim): Promise<BookingRecord> {
    for (let attempt = 0; ; attempt++) {
      const reference = attempt === 0 ? booking.reference : newBookingReference();
      const record = asBooked(booking, reference);
      const values: unknown[] = [
        slot.centreCode, slot.serviceCode, slot.start, slot.capacity,
        booking.id, reference, booking.slotEnd, booking.localDate, booking.citizenIdHash, booking.citizenSealed,
        booking.channel, booking.bookedBy, booking.reminderSentAt, booking.createdAt, centreVersion,
      ];
      const answer = claim?.answerFor?.(record);
      if (claim) values.push(claim.request.scope, claim.request.key, claim.request.route, claim.request.fingerprint);
      if (claim && answer) values.push(answer.status, answerJson(answer.body));
      if (booking.dataKeySealed) values.push(booking.dataKeySealed);
      const valuesBeforeChain = values.length;
      const chain = this.audit.appendChainCtes([bookedEvent(event, reference)], 'inserted', values);
      const text = this.insertText(claim !== undefined, answer !== undefined, !!booking.dataKeySealed, valuesBeforeChain, chain);
      try {
        const { rows } = await this.pool.query<{ booked: boolean; centre_held: boolean; key_taken?: boolean }>(statement(text, values, this.prepared));
        if (rows[0].booked) return record;
        if (!rows[0].centre_held) throw new CentreChanged(slot.centreCode);
        if (rows[0].key_taken) throw new KeyAlreadyClaimed();
        throw slotFull();
      } catch (error) {
        // A reference drawn twice (rare): draw another one, a few times at most.
        if (pgConstraint(error) === REFERENCE_UNIQUE && attempt < 3) continue;
        // A twin claimed the key after our look: nothing was written; RunOnce takes over.
        if (claim && pgConstraint(error) === KEY_UNIQUE) throw new KeyAlreadyClaimed();
        throw mapWriteError(error);
      }
    }
  }

  /**
   * The booking statement's text, made once per shape (claim, answer, data key, the audit chain's
   * CTEs, which chainCtes hands back as the same string per shape) and then the same string every
   * time: building ~2 KB of text per booking, then flattening and hashing it to find the prepared
   * statement's name, was a visible share of a booking's api CPU (issue 13).
   */
  private insertText(claim: boolean, answer: boolean, dataKey: boolean, keyParam: number, chainCtes: string): string {
    const shape = `${claim ? 'c' : ''}${answer ? 'a' : ''}${dataKey ? 'k' : ''}`;
    return this.insertTexts.text(shape, chainCtes, () => {
      const key = dataKey ? `${storeDataKeyCte('inserted', '$5::uuid', `$${keyParam}::bytea`)},\n           ` : '';
      // Whether the key is held already: read once, by the slot's guard and by the answer.
      return `WITH centre AS (SELECT centre_version_holds($1::text, $15::integer) AS held), ${claim ? 'taken AS (SELECT EXISTS (SELECT 1 FROM idempotency_keys WHERE scope = $16::text AND key = $17::text) AS held), ' : ''}place AS (
             INSERT INTO appointment_slots AS s (centre_code, service_code, slot_start, capacity, booked)
             SELECT $1::text, $2::text, $3::timestamptz, $4::integer, 1 WHERE (SELECT held FROM centre)${claim ? ' AND NOT (SELECT held FROM taken)' : ''}
             ON CONFLICT (centre_code, service_code, slot_start) DO UPDATE SET booked = s.booked + 1 WHERE s.booked < s.capacity
             RETURNING 1),${claim ? `
           claim AS (
             INSERT INTO idempotency_keys (scope, key, route, request_hash${answer ? ', status, body' : ''})
             SELECT $16::text, $17::text, $18::text, $19::text${answer ? ', $20::integer, $21::jsonb' : ''} WHERE EXISTS (SELECT 1 FROM place)
             RETURNING 1),` : ''}
           inserted AS (
             INSERT INTO bookings (id, reference, centre_code, service_code, slot_start, slot_end, local_date, citizen_id_hash,
                                   citizen_sealed, channel, booked_by, status, reminder_sent_at, created_at, updated_at)
             SELECT $5::uuid, $6::text, $1::text, $2::text, $3::timestamptz, $7::timestamptz, $8::date, $9::text,
                    $10::bytea, $11::text, $12::text, 'booked', $13::timestamptz, $14::timestamptz, $14::timestamptz
              WHERE EXISTS (SELECT 1 FROM ${claim ? 'claim' : 'place'})
             RETURNING reference),
           ${key}${chainCtes}
           SELECT EXISTS (SELECT 1 FROM inserted) AS booked, (SELECT held FROM centre) AS centre_held${claim ? ', (SELECT held FROM taken) AS key_taken' : ''}`;
    });
  }

  async findByReference(reference: string): Promise<BookingRecord | null> {
    const { rows } = await this.pool.query<BookingRow>(`SELECT ${bookingColumns()} FROM bookings WHERE reference = $1`, [reference]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async findByCitizen(citizenIdHash: string, options: { centreCode?: string; limit: number }): Promise<BookingRecord[]> {
    const { rows } = await this.pool.query<BookingRow>(
      `SELECT ${bookingColumns()} FROM bookings WHERE citizen_id_hash = $1 AND ($2::text IS NULL OR centre_code = $2)
        ORDER BY slot_start DESC LIMIT $3`,
      [citizenIdHash, options.centreCode ?? null, options.limit],
    );
    return rows.map(fromRow);
  }

  async slotUsage(centreCode: string, serviceCode: string, from: Date, to: Date): Promise<SlotUsage[]> {
    const { rows } = await this.pool.query<{ slot_start: Date; capacity: number; booked: number }>(
      `SELECT slot_start, capacity, booked FROM appointment_slots
        WHERE centre_code = $1 AND service_code = $2 AND slot_start >= $3 AND slot_start < $4`,
      [centreCode, serviceCode, from, to],
    );
    return rows.map((r) => ({ start: r.slot_start, capacity: r.capacity, booked: r.booked }));
  }

  cancel(reference: string, at: Date, event: (booking: BookingRecord) => NewAuditEvent): Promise<BookingRecord> {
    return withTransaction(this.pool, async (client) => {
      const current = await lockBooking(client, reference);
      requireStatus(current, 'booked');
      const { rows } = await client.query<BookingRow>(
        `UPDATE bookings SET status = 'cancelled', cancelled_at = $2, updated_at = $2 WHERE id = $1 RETURNING ${bookingColumns()}`,
        [current.id, at],
      );
      await releasePlace(client, current.centreCode, current.serviceCode, current.slotStart);
      const cancelled = fromRow(rows[0]);
      await this.audit.append(client, event(cancelled));
      return cancelled;
    });
  }

  /**
   * Right after the booking's row lock, before any slot is touched, centre_version_holds checks the
   * centre's version as insert does (waiting for a change of the centre in progress, and holding one
   * off until this commits): a version that moved rolls back and throws CentreChanged.
   */
  async reschedule(
    reference: string,
    to: SlotChoice,
    centreVersion: number | undefined,
    at: Date,
    event: (booking: BookingRecord) => NewAuditEvent,
  ): Promise<BookingRecord> {
    try {
      return await withTransaction(this.pool, async (client) => {
        const current = await lockBooking(client, reference);
        if (centreVersion !== undefined) {
          const { rows } = await client.query<{ held: boolean }>('SELECT centre_version_holds($1::text, $2::integer) AS held', [to.centreCode, centreVersion]);
          if (!rows[0].held) throw new CentreChanged(to.centreCode);
        }
        requireStatus(current, 'booked');
        if (current.centreCode !== to.centreCode || current.serviceCode !== to.serviceCode) {
          throw new DomainError('invalid', 'validation-failed', 'A booking can only move to another slot of the same centre and service.', {
            errors: [{ field: '/slotStart', message: 'must be a slot of the same centre and service' }],
          });
        }
        if (current.slotStart.getTime() === to.start.getTime()) return current;
        await ensureSlot(client, to);
        await releasePlace(client, current.centreCode, current.serviceCode, current.slotStart);
        const { rows } = await client.query<BookingRow>(
          `UPDATE bookings SET slot_start = $2, slot_end = $3, local_date = $4, reschedules = reschedules + 1,
                  reminder_sent_at = NULL, hour_reminder_sent_at = NULL, updated_at = $5 WHERE id = $1 RETURNING ${bookingColumns()}`,
          [current.id, to.start, to.end, to.localDate, at],
        );
        const moved = fromRow(rows[0]);
        await this.audit.append(client, event(current));
        // A full target throws here and rolls back everything above: the booking stays where it was.
        await takePlace(client, to);
        return moved;
      });
    } catch (error) {
      throw mapWriteError(error);
    }
  }

  async checkIn(
    reference: string,
    at: Date,
    check: (booking: BookingRecord, centre: { timeZone: string; noShowGraceMinutes: number }) => void,
    event: (booking: BookingRecord) => NewAuditEvent,
    client?: PoolClient,
  ): Promise<BookingRecord> {
    const work = async (db: PoolClient) => {
      const current = await lockBooking(db, reference);
      const { rows: centres } = await db.query<{ time_zone: string; no_show_grace_minutes: number }>(
        'SELECT time_zone, no_show_grace_minutes FROM centres WHERE code = $1',
        [current.centreCode],
      );
      check(current, { timeZone: centres[0].time_zone, noShowGraceMinutes: centres[0].no_show_grace_minutes });
      const { rows } = await db.query<BookingRow>(
        `UPDATE bookings SET status = 'checked_in', checked_in_at = $2, updated_at = $2 WHERE id = $1 RETURNING ${bookingColumns()}`,
        [current.id, at],
      );
      const checkedIn = fromRow(rows[0]);
      await this.audit.append(db, event(checkedIn));
      return checkedIn;
    };
    return client ? work(client) : withTransaction(this.pool, work);
  }

  releaseNoShows(now: Date, limit: number, actor: string): Promise<ReleasedBooking[]> {
    return withTransaction(this.pool, async (client) => {
      // SKIP LOCKED: two workers never release one booking twice, and neither waits for the other.
      const { rows } = await client.query<BookingRow>(
        `UPDATE bookings b SET status = 'no_show', no_show_at = $1, updated_at = $1
          WHERE b.id IN (
            SELECT x.id FROM bookings x JOIN centres c ON c.code = x.centre_code
             WHERE x.status = 'booked' AND x.slot_start + make_interval(mins => c.no_show_grace_minutes) < $1
             ORDER BY x.slot_start LIMIT $2 FOR UPDATE OF x SKIP LOCKED)
          RETURNING ${bookingColumns('b')}`,
        [now, limit],
      );
      const released = rows.map(fromRow);
      for (const booking of released) {
        await releasePlace(client, booking.centreCode, booking.serviceCode, booking.slotStart);
        await this.audit.append(client, {
          entityType: 'booking',
          entityId: booking.reference,
          type: 'no_show',
          actor,
          data: { centre: booking.centreCode, service: booking.serviceCode, slotStart: booking.slotStart.toISOString() },
          occurredAt: now,
        });
      }
      return released.map((b) => ({ id: b.id, reference: b.reference, centreCode: b.centreCode, serviceCode: b.serviceCode, slotStart: b.slotStart }));
    });
  }

  async claimMaintenanceOffer(bookingId: string, window: { start: Date; end: Date }, at: Date): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO booking_maintenance_offers (booking_id, window_start, window_end, sent_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [bookingId, window.start, window.end, at],
    );
    return rowCount === 1;
  }

  async bookedBetween(filter: { centreCode?: string; serviceCodes?: readonly string[]; from: Date; to: Date }, limit: number): Promise<BookingRecord[]> {
    const { rows } = await this.pool.query<BookingRow>(
      `SELECT ${bookingColumns()} FROM bookings
        WHERE status = 'booked' AND slot_start >= $1 AND slot_start < $2
          AND ($3::text IS NULL OR centre_code = $3) AND ($4::text[] IS NULL OR service_code = ANY($4))
        ORDER BY slot_start, created_at, id LIMIT $5`,
      [filter.from, filter.to, filter.centreCode ?? null, filter.serviceCodes ?? null, limit],
    );
    return rows.map(fromRow);
  }

  claimHourReminders(now: Date, until: Date, limit: number): Promise<BookingRecord[]> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<BookingRow>(
        `UPDATE bookings SET hour_reminder_sent_at = $1
          WHERE id IN (SELECT b.id FROM bookings b JOIN centre_notice_choices c ON c.centre_code = b.centre_code AND c.hour_before_reminder
                        WHERE b.status = 'booked' AND b.hour_reminder_sent_at IS NULL AND b.slot_start > $1 AND b.slot_start <= $2
                        ORDER BY b.slot_start LIMIT $3 FOR UPDATE OF b SKIP LOCKED)
          RETURNING ${bookingColumns()}`,
        [now, until, limit],
      );
      return rows.map(fromRow);
    });
  }

  claimReminders(now: Date, until: Date, limit: number): Promise<BookingRecord[]> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<BookingRow>(
        `UPDATE bookings SET reminder_sent_at = $1
          WHERE id IN (SELECT id FROM bookings
                        WHERE status = 'booked' AND reminder_sent_at IS NULL AND slot_start > $1 AND slot_start <= $2
                        ORDER BY slot_start LIMIT $3 FOR UPDATE SKIP LOCKED)
          RETURNING ${bookingColumns()}`,
        [now, until, limit],
      );
      return rows.map(fromRow);
    });
  }
}

/**
 * Creates the slot's row on first use and refuses at once when it is already full, without
 * locking it (the authoritative check is `takePlace`, at the end of the transaction). The outer
 * SELECT does not see the CTE's insert (one snapshot), hence the UNION.
 */
async function ensureSlot(client: PoolClient, slot: SlotChoice): Promise<void> {
  const { rows } = await client.query<{ full: boolean }>(
    `WITH created AS (
       INSERT INTO appointment_slots (centre_code, service_code, slot_start, capacity) VALUES ($1, $2, $3, $4)
       ON CONFLICT (centre_code, service_code, slot_start) DO NOTHING RETURNING booked, capacity)
     SELECT booked >= capacity AS full FROM created
     UNION ALL
     SELECT booked >= capacity FROM appointment_slots WHERE centre_code = $1 AND service_code = $2 AND slot_start = $3`,
    [slot.centreCode, slot.serviceCode, slot.start, slot.capacity],
  );
  if (rows[0]?.full) throw slotFull();
}

/**
 * Takes one place only if one is left. Under READ COMMITTED the UPDATE waits for the row lock and
 * re-checks `booked < capacity` on the newest version, so concurrent bookings serialise on the
 * slot row and never overfill it; a refusal rolls back the caller's whole transaction.
 */
async function takePlace(client: PoolClient, slot: SlotChoice): Promise<void> {
  const taken = await client.query(
    `UPDATE appointment_slots SET booked = booked + 1
      WHERE centre_code = $1 AND service_code = $2 AND slot_start = $3 AND booked < capacity`,
    [slot.centreCode, slot.serviceCode, slot.start],
  );
  if (!taken.rowCount) throw slotFull();
}

/** The row the booking statement wrote, as a read would give it back. */
/** Written out field by field, not spread: one hidden class for every booking (issue 13). */
function asBooked(booking: NewBooking, reference: string): BookingRecord {
  return {
    id: booking.id,
    reference,
    centreCode: booking.centreCode,
    serviceCode: booking.serviceCode,
    slotStart: booking.slotStart,
    slotEnd: booking.slotEnd,
    localDate: booking.localDate,
    citizenIdHash: booking.citizenIdHash,
    citizenSealed: booking.citizenSealed,
    dataKeySealed: booking.dataKeySealed,
    channel: booking.channel,
    bookedBy: booking.bookedBy,
    status: 'booked',
    reschedules: 0,
    reminderSentAt: booking.reminderSentAt,
    checkedInAt: null,
    cancelledAt: null,
    noShowAt: null,
    createdAt: booking.createdAt,
    updatedAt: booking.createdAt,
  };
}

function bookedEvent(event: NewAuditEvent, reference: string): NewAuditEvent {
  return { entityType: event.entityType, entityId: reference, type: event.type, actor: event.actor, data: event.data, occurredAt: event.occurredAt };
}

function slotFull(): DomainError {
  return new DomainError('conflict', 'slot-full', 'That slot is fully booked; choose another slot.');
}

async function releasePlace(db: Queryable, centreCode: string, serviceCode: string, slotStart: Date): Promise<void> {
  await db.query(
    `UPDATE appointment_slots SET booked = booked - 1 WHERE centre_code = $1 AND service_code = $2 AND slot_start = $3 AND booked > 0`,
    [centreCode, serviceCode, slotStart],
  );
}

async function lockBooking(client: PoolClient, reference: string): Promise<BookingRecord> {
  const { rows } = await client.query<BookingRow>(`SELECT ${bookingColumns()} FROM bookings WHERE reference = $1 FOR UPDATE`, [reference]);
  if (!rows[0]) throw new DomainError('not_found', 'booking-not-found', `No booking ${reference}.`);
  return fromRow(rows[0]);
}

function requireStatus(booking: BookingRecord, status: BookingStatus): void {
  if (booking.status !== status) {
    throw new DomainError('conflict', 'booking-not-active', `Booking ${booking.reference} is ${booking.status.replace('_', '-')}; it can no longer be changed.`);
  }
}

function mapWriteError(error: unknown): unknown {
  if (pgErrorCode(error) === PG_ERROR.unique_violation && pgConstraint(error) === ONE_PER_DAY) {
    return new DomainError('conflict', 'already-booked', 'The citizen already has an active booking for this service on that day.');
  }
  return error;
}
