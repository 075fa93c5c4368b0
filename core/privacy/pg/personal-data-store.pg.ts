import type { Pool, PoolClient } from 'pg';
import type { AuditLog } from '../../audit/audit-log';
import type { NewAuditEvent } from '../../audit/audit-event';
import { ACTIVE_STATUSES } from '../../bookings/domain/booking';
import { withTransaction } from '../../db/pool';
import { TERMINAL_STATES } from '../../transactions/domain/transaction';
import { PersonalDataStore, type CitizenRows, type ErasureCounts, type RetentionCutoffs, type Tombstones } from '../personal-data-store';

const TERMINAL = [...TERMINAL_STATES];

/**
 * Erasure overwrites in place: the sealed columns get tombstones, the keyed hash of the ID number
 * becomes `erased:<row id>` (unique, and no ID number hashes to it), `personal_data_erased_at` is set.
 */
export class PgPersonalDataStore extends PersonalDataStore {
  constructor(
    private readonly pool: Pool,
    private readonly audit: AuditLog,
  ) {
    super();
  }

  async eraseCitizen(
    citizenIdHash: string,
    decide: (rows: CitizenRows) => { phoneHashes: string[]; event: (counts: ErasureCounts) => NewAuditEvent } | null,
    tombstones: Tombstones,
    at: Date,
  ): Promise<ErasureCounts | null> {
    return withTransaction(this.pool, async (client) => {
      const transactions = await client.query<{ id: string; state: string; citizen_sealed: Buffer }>(
        'SELECT id, state, citizen_sealed FROM transactions WHERE citizen_id_hash = $1 ORDER BY id FOR UPDATE',
        [citizenIdHash],
      );
      const bookings = await client.query<{ id: string; status: string; slot_end: Date; citizen_sealed: Buffer }>(
        'SELECT id, status, slot_end, citizen_sealed FROM bookings WHERE citizen_id_hash = $1 ORDER BY id FOR UPDATE',
        [citizenIdHash],
      );
      const decision = decide({
        transactions: transactions.rows.map((r) => ({
          id: r.id,
          open: !TERMINAL.includes(r.state as (typeof TERMINAL)[number]),
          citizenSealed: r.citizen_sealed,
        })),
        bookings: bookings.rows.map((r) => ({
          id: r.id,
          open: (ACTIVE_STATUSES as readonly string[]).includes(r.status) && r.slot_end > at,
          citizenSealed: r.citizen_sealed,
        })),
      });
      if (!decision) return null;
      const counts = await this.overwrite(
        client,
        transactions.rows.map((r) => r.id),
        bookings.rows.map((r) => r.id),
        tombstones,
        at,
      );
      counts.notifications = await this.overwriteNotifications(client, decision.phoneHashes, tombstones);
      await this.audit.append(client, decision.event(counts));
      return counts;
    });
  }

  async purgeExpired(
    cutoffs: RetentionCutoffs,
    limit: number,
    tombstones: Tombstones,
    at: Date,
    event: (counts: ErasureCounts) => NewAuditEvent,
  ): Promise<ErasureCounts> {
    const services = [...cutoffs.services.keys()];
    const instants = services.map((s) => cutoffs.services.get(s));
    return withTransaction(this.pool, async (client) => {
      const cut = 'SELECT * FROM unnest($1::text[], $2::timestamptz[]) AS c (service_code, cutoff)';
      const transactions = await client.query<{ id: string }>(
        `WITH cut AS (${cut})
         SELECT t.id FROM transactions t JOIN cut c ON c.service_code = t.service_code
          WHERE t.personal_data_erased_at IS NULL AND t.state = ANY($3::text[]) AND t.updated_at < c.cutoff
          ORDER BY t.updated_at LIMIT $4 FOR UPDATE OF t SKIP LOCKED`,
        [services, instants, TERMINAL, limit],
      );
      const bookings = await client.query<{ id: string }>(
        `WITH cut AS (${cut})
         SELECT b.id FROM bookings b JOIN cut c ON c.service_code = b.service_code
          WHERE b.personal_data_erased_at IS NULL AND b.slot_end < c.cutoff
          ORDER BY b.slot_end LIMIT $3 FOR UPDATE OF b SKIP LOCKED`,
        [services, instants, limit],
      );
      const counts = await this.overwrite(
        client,
        transactions.rows.map((r) => r.id),
        bookings.rows.map((r) => r.id),
        tombstones,
        at,
      );
      counts.notifications =
        (
          await client.query(
            `UPDATE notifications SET to_sealed = $3, to_hash = 'erased:' || id::text
              WHERE id IN (SELECT id FROM notifications WHERE created_at < $1 AND to_hash NOT LIKE 'erased:%' ORDER BY created_at LIMIT $2)`,
            [cutoffs.notifications, limit, tombstones.phone],
          )
        ).rowCount ?? 0;
      if (counts.transactions + counts.bookings + counts.notifications > 0) await this.audit.append(client, event(counts));
      return counts;
    });
  }

  private async overwrite(client: PoolClient, transactionIds: string[], bookingIds: string[], tombstones: Tombstones, at: Date): Promise<ErasureCounts> {
    const counts: ErasureCounts = { transactions: 0, bookings: 0, notices: 0, notifications: 0 };
    if (transactionIds.length > 0) {
      counts.transactions =
        (
          await client.query(
            `UPDATE transactions SET citizen_sealed = $2, payload_sealed = $3, citizen_id_hash = 'erased:' || id::text,
                    personal_data_erased_at = $4
              WHERE id = ANY($1::uuid[])`,
            [transactionIds, tombstones.citizen, tombstones.payload, at],
          )
        ).rowCount ?? 0;
      counts.notices =
        (
          await client.query('UPDATE citizen_notices SET phone_sealed = $2 WHERE transaction_id = ANY($1::uuid[]) AND phone_sealed IS NOT NULL', [
            transactionIds,
            tombstones.phone,
          ])
        ).rowCount ?? 0;
    }
    if (bookingIds.length > 0) {
      counts.bookings =
        (
          await client.query(
            `UPDATE bookings SET citizen_sealed = $2, citizen_id_hash = 'erased:' || id::text, personal_data_erased_at = $3
              WHERE id = ANY($1::uuid[])`,
            [bookingIds, tombstones.citizen, at],
          )
        ).rowCount ?? 0;
    }
    return counts;
  }

  private async overwriteNotifications(client: PoolClient, phoneHashes: string[], tombstones: Tombstones): Promise<number> {
    if (phoneHashes.length === 0) return 0;
    const result = await client.query(
      `UPDATE notifications SET to_sealed = $2, to_hash = 'erased:' || id::text WHERE to_hash = ANY($1::text[])`,
      [phoneHashes, tombstones.phone],
    );
    return result.rowCount ?? 0;
  }
}
