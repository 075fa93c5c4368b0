import type { PoolClient } from 'pg';
import type { NewAuditEvent } from '../audit/audit-event';
import type { IdempotentRequest, StoredAnswer } from '../idempotency/domain/idempotent-request';
import type { BookingRecord, SlotChoice } from './domain/booking';

export type NewBooking = Omit<BookingRecord, 'status' | 'reschedules' | 'checkedInAt' | 'cancelledAt' | 'noShowAt' | 'updatedAt'>;

/**
 * The caller's Idempotency-Key claimed in the booking's own statement (core/idempotency, InlineKey),
 * with the answer stored there too when `answerFor` is given (the booking is then final for the caller).
 */
export interface BookingClaim {
  request: IdempotentRequest;
  answerFor?: (booking: BookingRecord) => StoredAnswer;
}

export interface SlotUsage {
  start: Date;
  capacity: number;
  booked: number;
}

/** A booking the no-show job released, for the log line and the tests. */
export interface ReleasedBooking {
  id: string;
  reference: string;
  centreCode: string;
  serviceCode: string;
  slotStart: Date;
}

/**
 * The centre changed after the version the booking was made with was read (CentreCache): nothing
 * was written; read the centre again and decide again.
 */
export class CentreChanged extends Error {
  constructor(readonly centreCode: string) {
    super(`centre ${centreCode} changed since it was read`);
    this.name = 'CentreChanged';
  }
}

/**
 * Storage port of bookings and their slots. Every write takes or releases a place in
 * `appointment_slots` in the same database transaction as the booking change and its audit event.
 */
export abstract class BookingRepository {
  /**
   * Takes a place in the slot and records the booking. Conflicts: `slot-full` when the slot has no
   * place left, `already-booked` when the citizen holds an active booking for the service that day.
   * `centreVersion`: the version of the centre the slot was resolved with; when the centre's is
   * another by then, nothing is written and CentreChanged is thrown (a change of the centre in
   * progress is waited for, and waits for this). With `claim`: the key is claimed (and answered)
   * with the booking, or nothing is written and KeyAlreadyClaimed is thrown when someone holds the
   * key already.
   */
  abstract insert(booking: NewBooking, slot: SlotChoice, centreVersion: number, event: NewAuditEvent, claim?: BookingClaim): Promise<BookingRecord>;

  abstract findByReference(reference: string): Promise<BookingRecord | null>;

  /**
   * True the first time for this booking and maintenance window (a row in booking_maintenance_offers):
   * the caller sends the rebooking SMS then, and only then, however often or on however many replicas
   * the window is scheduled.
   */
  abstract claimMaintenanceOffer(bookingId: string, window: { start: Date; end: Date }, at: Date): Promise<boolean>;

  /** `booked` bookings whose slot starts in [from, to), at a centre and/or of some services, in slot then booking order (at most `limit`). */
  abstract bookedBetween(filter: { centreCode?: string; serviceCodes?: readonly string[]; from: Date; to: Date }, limit: number): Promise<BookingRecord[]>;

  /** Newest slot first, at most `limit`; only one centre's when `centreCode` is given. */
  abstract findByCitizen(citizenIdHash: string, options: { centreCode?: string; limit: number }): Promise<BookingRecord[]>;

  /** Places taken per slot start for one centre, service and local day. */
  abstract slotUsage(centreCode: string, serviceCode: string, from: Date, to: Date): Promise<SlotUsage[]>;

  /** `booked` → `cancelled`, releasing the place. Conflict `booking-not-active` otherwise. */
  abstract cancel(reference: string, at: Date, event: (booking: BookingRecord) => NewAuditEvent): Promise<BookingRecord>;

  /**
   * Moves a `booked` booking to another slot in one database transaction: the new place is taken
   * before the old one is released, so a full target leaves the booking exactly as it was.
   * `centreVersion`: as for insert, the version of the centre `to` was resolved with; when the
   * centre's is another by then, nothing is written and CentreChanged is thrown. Undefined only for
   * a move back to the slot the booking held (no new decision on the centre).
   */
  abstract reschedule(
    reference: string,
    to: SlotChoice,
    centreVersion: number | undefined,
    at: Date,
    event: (booking: BookingRecord) => NewAuditEvent,
  ): Promise<BookingRecord>;

  /**
   * `booked` → `checked_in` after `check` accepts the locked booking (it throws to refuse), inside
   * `client`'s transaction when given (every read goes through it: on PGlite the pool has one connection).
   */
  abstract checkIn(
    reference: string,
    at: Date,
    check: (booking: BookingRecord, centre: { timeZone: string; noShowGraceMinutes: number }) => void,
    event: (booking: BookingRecord) => NewAuditEvent,
    client?: PoolClient,
  ): Promise<BookingRecord>;

  /** Marks up to `limit` bookings past slot start + their centre's grace as `no_show` and releases their places. */
  abstract releaseNoShows(now: Date, limit: number, actor: string): Promise<ReleasedBooking[]>;

  /** Claims up to `limit` `booked` bookings starting in (now, until] whose reminder is not sent yet. */
  abstract claimReminders(now: Date, until: Date, limit: number): Promise<BookingRecord[]>;

  /** The same for the hour-before reminder, at centres that chose it (centre_notice_choices). */
  abstract claimHourReminders(now: Date, until: Date, limit: number): Promise<BookingRecord[]>;
}
