import type { Pool } from 'pg';
import { dataKeyOf } from '../../privacy/pg/citizen-keys.sql';
import { OutageRepository, outageNoticeKeyPrefix, type AgencyOutage, type OutageRecipient } from '../outage.repository';

interface OutageRow {
  id: string;
  agency_code: string;
  mode: AgencyOutage['mode'];
  until: Date | null;
  started_at: Date;
}

const toOutage = (row: OutageRow): AgencyOutage => ({ id: row.id, agencyCode: row.agency_code, mode: row.mode, until: row.until, startedAt: row.started_at });

export class PgOutageRepository extends OutageRepository {
  constructor(private readonly pool: Pool) {
    super();
  }

  async open(): Promise<AgencyOutage[]> {
    const { rows } = await this.pool.query<OutageRow>('SELECT id, agency_code, mode, until, started_at FROM agency_outages WHERE ended_at IS NULL ORDER BY agency_code');
    return rows.map(toOutage);
  }

  async start(outage: AgencyOutage): Promise<AgencyOutage | null> {
    const { rows } = await this.pool.query<OutageRow>(
      `INSERT INTO agency_outages (id, agency_code, mode, until, started_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (agency_code) WHERE ended_at IS NULL DO NOTHING
       RETURNING id, agency_code, mode, until, started_at`,
      [outage.id, outage.agencyCode, outage.mode, outage.until, outage.startedAt],
    );
    return rows[0] ? toOutage(rows[0]) : null;
  }

  async update(id: string, mode: AgencyOutage['mode'], until: Date | null): Promise<void> {
    await this.pool.query('UPDATE agency_outages SET mode = $2, until = $3 WHERE id = $1 AND ended_at IS NULL', [id, mode, until]);
  }

  async end(id: string, at: Date): Promise<void> {
    await this.pool.query('UPDATE agency_outages SET ended_at = greatest($2, started_at) WHERE id = $1 AND ended_at IS NULL', [id, at]);
  }

  async recipients(outageId: string, serviceCodes: readonly string[], from: Date, to: Date): Promise<OutageRecipient[]> {
    const { rows } = await this.pool.query<{ id: string; citizen_sealed: Buffer; data_key_sealed: Buffer | null; centre_code: string; service_code: string }>(
      `SELECT b.id, b.citizen_sealed, ${dataKeyOf('b')}, b.centre_code, b.service_code FROM bookings b
        WHERE b.service_code = ANY($1)
          AND ((b.status = 'booked' AND b.slot_start >= $2 AND b.slot_start < $3)
               -- Driven from the tickets waiting now, not from every booking ever checked in (this runs every pass).
               OR (b.status = 'checked_in' AND b.reference IN (SELECT t.booking_ref FROM queue_tickets t WHERE t.state = 'waiting' AND t.booking_ref IS NOT NULL)))
          AND NOT EXISTS (SELECT 1 FROM citizen_notices n WHERE n.notice_key = $4 || b.id::text)
        ORDER BY b.slot_start, b.id`,
      [serviceCodes, from, to, outageNoticeKeyPrefix(outageId)],
    );
    return rows.map((row) => ({ bookingId: row.id, citizenSealed: row.citizen_sealed, dataKeySealed: row.data_key_sealed, centreCode: row.centre_code, serviceCode: row.service_code }));
  }

}
