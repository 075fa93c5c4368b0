import type { Pool } from 'pg';
import type { NewAuditEvent } from '../../audit/audit-event';
import type { AuditLog } from '../../audit/audit-log';
import { withTransaction } from '../../db/pool';
import { AgencyAppointmentRepository, type AgencyAppointment, type AgencyAppointmentState } from '../agency-appointment.repository';

interface Row {
  booking_id: string;
  booking_reference: string;
  agency_code: string;
  state: AgencyAppointmentState;
  agency_ref: string | null;
  attempts: number;
  next_attempt_at: Date | null;
  last_error: string | null;
}

function fromRow(row: Row): AgencyAppointment {
  return {
    bookingId: row.booking_id,
    bookingReference: row.booking_reference,
    agencyCode: row.agency_code,
    state: row.state,
    agencyRef: row.agency_ref,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
  };
}

export class PgAgencyAppointmentRepository extends AgencyAppointmentRepository {
  constructor(
    private readonly pool: Pool,
    private readonly audit: AuditLog,
  ) {
    super();
  }

  async save(a: AgencyAppointment, at: Date, event: NewAuditEvent): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO agency_appointments (booking_id, booking_reference, agency_code, state, agency_ref, attempts, next_attempt_at, last_error, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
         ON CONFLICT (booking_id) DO UPDATE SET state = $4, agency_ref = $5, attempts = $6, next_attempt_at = $7, last_error = $8, updated_at = $9`,
        [a.bookingId, a.bookingReference, a.agencyCode, a.state, a.agencyRef, a.attempts, a.nextAttemptAt, a.lastError, at],
      );
      await this.audit.append(client, event);
    });
  }

  async findByBooking(bookingId: string): Promise<AgencyAppointment | null> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM agency_appointments WHERE booking_id = $1', [bookingId]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<AgencyAppointment[]> {
    const { rows } = await this.pool.query<Row>(
      `UPDATE agency_appointments SET next_attempt_at = $2
       WHERE booking_id IN (
         SELECT booking_id FROM agency_appointments
         WHERE state = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [now, leaseUntil, limit],
    );
    return rows.map(fromRow);
  }
}
