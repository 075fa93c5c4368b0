import type { NewAuditEvent } from '../audit/audit-event';

export type AgencyAppointmentState = 'reserved' | 'pending' | 'refused' | 'cancelled';

/** What an agency's appointment system holds for one of our bookings. */
export interface AgencyAppointment {
  bookingId: string;
  bookingReference: string;
  agencyCode: string;
  state: AgencyAppointmentState;
  agencyRef: string | null;
  attempts: number;
  /** When the worker tries a `pending` reservation again. */
  nextAttemptAt: Date | null;
  lastError: string | null;
}

/** Storage port of agency appointments; every write appends its audit event in the same database transaction. */
export abstract class AgencyAppointmentRepository {
  abstract save(appointment: AgencyAppointment, at: Date, event: NewAuditEvent): Promise<void>;

  abstract findByBooking(bookingId: string): Promise<AgencyAppointment | null>;

  /**
   * Takes up to `limit` pending reservations due by `now`, moving their next attempt to
   * `leaseUntil` so that another worker does not take them meanwhile.
   */
  abstract claimDue(now: Date, leaseUntil: Date, limit: number): Promise<AgencyAppointment[]>;
}
