import type { Pool, PoolClient } from 'pg';
import type { AuditLog } from '../../audit/audit-log';
import type { NewAuditEvent } from '../../audit/audit-event';
import { ACTIVE_STATUSES } from '../../bookings/domain/booking';
import { withTransaction } from '../../db/pool';
import { TERMINAL_STATES } from '../../transactions/domain/transaction';
import { dataKeyOf } from './citizen-keys.sql';
import {
  NO_ERASURE,
  PersonalDataStore,
  type CitizenErasure,
  type CitizenRecords,
  type CitizenRows,
  type ErasureCounts,
  type RetentionCutoffs,
  type SealedPhoneRow,
  type Tombstones,
} from '../personal-data-store';

const TERMINAL = [...TERMINAL_STATES];

/** Where a transaction keeps free text someone typed (that may name the citizen): column, JSON path. */
const NOTES: ReadonlyArray<readonly [string, string[]]> = [
  ['manual_outcome', ['note']],
  ['conflict', ['manual', 'note']],
  ['conflict', ['resolution', 'note']],
];

/** Runs `sql` and returns how many rows it touched. */
async function touched(client: PoolClient, sql: string, params: unknown[]): Promise<number> {
  return (await client.query(sql, params)).rowCount ?? 0;
}

/** An outbox notice loses its phone; one not sent yet is then kept with nothing to send. */
const DROP_NOTICE_PHONE = `UPDATE citizen_notices SET phone_sealed = NULL, phone_hash = NULL, status = CASE WHEN status = 'pending' THEN 'no-phone' ELSE status END`;

/**
 * Erasure destroys the records' data keys (crypto-shredding: no copy of what they sealed opens any
 * more) and, so that the live rows read as erased too, overwrites them in place: the sealed columns
 * get tombstones (or NULL where the column is optional), typed notes read `ERASED`, the keyed hash of the ID number becomes `erased:<row id>` (unique, and no
 * ID number hashes to it), `personal_data_erased_at` is set. Operational rows that only serve a
 * live exchange (USSD sessions, phone rate limits, Idempotency-Key answers)
 * are deleted: they are no record of anything, and nothing reads them once the exchange is over.
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
    phonesOf: (records: CitizenRecords) => string[],
    decide: (rows: CitizenRows) => CitizenErasure | null,
    tombstones: Tombstones,
    at: Date,
  ): Promise<ErasureCounts | null> {
    return withTransaction(this.pool, async (client) => {
      const transactions = await client.query<{ id: string; state: string; citizen_sealed: Buffer; data_key_sealed: Buffer | null }>(
        `SELECT id, state, citizen_sealed, ${dataKeyOf('transactions')} FROM transactions WHERE citizen_id_hash = $1 ORDER BY id FOR UPDATE`,
        [citizenIdHash],
      );
      const bookings = await client.query<{ id: string; reference: string; status: string; slot_end: Date; citizen_sealed: Buffer; data_key_sealed: Buffer | null }>(
        `SELECT id, reference, status, slot_end, citizen_sealed, ${dataKeyOf('bookings')} FROM bookings WHERE citizen_id_hash = $1 ORDER BY id FOR UPDATE`,
        [citizenIdHash],
      );
      const records: CitizenRecords = {
        transactions: transactions.rows.map((r) => ({
          id: r.id,
          open: !TERMINAL.includes(r.state as (typeof TERMINAL)[number]),
          citizenSealed: r.citizen_sealed,
          dataKeySealed: r.data_key_sealed,
        })),
        bookings: bookings.rows.map((r) => ({
          id: r.id,
          open: (ACTIVE_STATUSES as readonly string[]).includes(r.status) && r.slot_end > at,
          citizenSealed: r.citizen_sealed,
          dataKeySealed: r.data_key_sealed,
        })),
      };
      // Only the citizen's walk-ins and notices are locked (found by their phones' keyed hash): a
      // lock on anyone else's would hide their ticket from call-next (SKIP LOCKED) meanwhile. Rows
      // written before the hash was kept have none: those are locked and opened (in core) to see whose they are.
      const hashes = phonesOf(records);
      const walkIns = await client.query<{ id: string; phone_sealed: Buffer; phone_hash: string | null }>(
        `SELECT id, phone_sealed, phone_hash FROM queue_tickets
          WHERE phone_sealed IS NOT NULL AND (phone_hash = ANY($1::text[]) OR phone_hash IS NULL) ORDER BY id FOR UPDATE`,
        [hashes],
      );
      const notices = await client.query<{ id: string; phone_sealed: Buffer; phone_hash: string | null }>(
        `SELECT id::text, phone_sealed, phone_hash FROM citizen_notices
          WHERE transaction_id IS NULL AND phone_sealed IS NOT NULL AND (phone_hash = ANY($1::text[]) OR phone_hash IS NULL) ORDER BY id FOR UPDATE`,
        [hashes],
      );
      const sessions = await client.query<{ session_id: string; phone_hash: string; state_sealed: Buffer }>(
        'SELECT session_id, phone_hash, state_sealed FROM ussd_sessions ORDER BY session_id FOR UPDATE',
      );
      const sealedPhones = (rows: Array<{ id: string; phone_sealed: Buffer; phone_hash: string | null }>): SealedPhoneRow[] =>
        rows.map((r) => ({ id: r.id, phoneSealed: r.phone_sealed, phoneHash: r.phone_hash }));
      const decision = decide({
        ...records,
        walkInPhones: sealedPhones(walkIns.rows),
        noticePhones: sealedPhones(notices.rows),
        ussdSessions: sessions.rows.map((r) => ({ id: r.session_id, phoneHash: r.phone_hash, stateSealed: r.state_sealed })),
      });
      if (!decision) return null;
      const transactionIds = transactions.rows.map((r) => r.id);
      const bookingRefs = bookings.rows.map((r) => r.reference);
      const counts = await this.overwrite(
        client,
        transactionIds,
        bookings.rows.map((r) => r.id),
        tombstones,
        at,
      );
      const phones = decision.phoneHashes;
      counts.notices += await touched(client, `${DROP_NOTICE_PHONE} WHERE id = ANY($1::bigint[])`, [decision.noticeIds]);
      counts.tickets = await touched(client, 'UPDATE queue_tickets SET phone_sealed = NULL, phone_hash = NULL WHERE id = ANY($1::uuid[])', [decision.ticketIds]);
      // The citizen's visits: a walk-in with their phone, a booking checked in, a ticket that led to their transaction.
      counts.feedback = await touched(
        client,
        `UPDATE ticket_feedback SET comment_sealed = NULL
          WHERE comment_sealed IS NOT NULL
            AND ticket_id IN (SELECT id FROM queue_tickets WHERE id = ANY($1::uuid[]) OR booking_ref = ANY($2::text[]) OR transaction_ids && $3::uuid[])`,
        [decision.ticketIds, bookingRefs, transactionIds],
      );
      counts.notifications = await touched(client, `UPDATE notifications SET to_sealed = $2, to_hash = 'erased:' || id::text WHERE to_hash = ANY($1::text[])`, [
        phones,
        tombstones.phone,
      ]);
      counts.rateLimits = await touched(client, 'DELETE FROM phone_rate_limits WHERE phone_hash = ANY($1::text[])', [phones]);
      counts.ussdSessions = await touched(client, 'DELETE FROM ussd_sessions WHERE session_id = ANY($1::text[]) OR phone_hash = ANY($2::text[])', [
        decision.ussdSessionIds,
        phones,
      ]);
      // A booking's answer holds the citizen's masked numbers (the ID's last digits, part of the phone);
      // every answer's request_hash is a digest of a body that held their numbers.
      counts.idempotencyKeys = await touched(client, `DELETE FROM idempotency_keys WHERE body->>'reference' = ANY($1::text[]) OR body->>'id' = ANY($2::text[])`, [
        bookingRefs,
        [...transactionIds, ...decision.ticketIds],
      ]);
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
    const byDefault = cutoffs.notifications;
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
      counts.notifications = await touched(
        client,
        `UPDATE notifications SET to_sealed = $3, to_hash = 'erased:' || id::text
          WHERE id IN (SELECT id FROM notifications WHERE created_at < $1 AND to_hash NOT LIKE 'erased:%' ORDER BY created_at LIMIT $2)`,
        [byDefault, limit, tombstones.phone],
      );
      // Notices tied to a transaction went with it above; the others by age.
      counts.notices += await touched(
        client,
        `${DROP_NOTICE_PHONE} WHERE id IN (SELECT id FROM citizen_notices WHERE transaction_id IS NULL AND phone_sealed IS NOT NULL AND created_at < $1
                                          ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [byDefault, limit],
      );
      // Walk-in tickets by their service's retention (the default for a service the catalogue no longer has).
      const cutOf = (alias: string): string => `LEFT JOIN cut c ON c.service_code = ${alias}.service_code`;
      counts.tickets = await touched(
        client,
        `UPDATE queue_tickets SET phone_sealed = NULL, phone_hash = NULL WHERE id IN
           (WITH cut AS (${cut}) SELECT q.id FROM queue_tickets q ${cutOf('q')}
             WHERE q.phone_sealed IS NOT NULL AND q.arrived_at < coalesce(c.cutoff, $3) ORDER BY q.arrived_at LIMIT $4 FOR UPDATE OF q SKIP LOCKED)`,
        [services, instants, byDefault, limit],
      );
      counts.feedback = await touched(
        client,
        `UPDATE ticket_feedback SET comment_sealed = NULL WHERE ticket_id IN
           (WITH cut AS (${cut}) SELECT f.ticket_id FROM ticket_feedback f JOIN queue_tickets q ON q.id = f.ticket_id ${cutOf('q')}
             WHERE f.comment_sealed IS NOT NULL AND f.given_at < coalesce(c.cutoff, $3) ORDER BY f.given_at LIMIT $4 FOR UPDATE OF f SKIP LOCKED)`,
        [services, instants, byDefault, limit],
      );
      // Operational rows: deleted.
      counts.rateLimits = await touched(
        client,
        `DELETE FROM phone_rate_limits WHERE (scope, phone_hash, window_start) IN
           (SELECT scope, phone_hash, window_start FROM phone_rate_limits WHERE window_start < $1 ORDER BY window_start LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [byDefault, limit],
      );
      // A session past its expiry starts again at the menu anyway: it is dead, whatever the retention.
      counts.ussdSessions = await touched(
        client,
        `DELETE FROM ussd_sessions WHERE session_id IN
           (SELECT session_id FROM ussd_sessions WHERE expires_at < $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [at, limit],
      );
      counts.idempotencyKeys = await touched(
        client,
        `DELETE FROM idempotency_keys WHERE (scope, key) IN
           (SELECT scope, key FROM idempotency_keys WHERE status IS NOT NULL AND created_at < $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [byDefault, limit],
      );
      if (Object.values(counts).some((n) => n > 0)) await this.audit.append(client, event(counts));
      return counts;
    });
  }

  /**
   * The records found by ID number (locked by the caller): transactions (and the outbox notices tied
   * to them), bookings, and their data keys, destroyed. By these ids only: a transaction the citizen
   * submits meanwhile is not erased, and must keep its key.
   */
  private async overwrite(client: PoolClient, transactionIds: string[], bookingIds: string[], tombstones: Tombstones, at: Date): Promise<ErasureCounts> {
    const counts: ErasureCounts = { ...NO_ERASURE };
    if (transactionIds.length + bookingIds.length > 0) {
      counts.dataKeys = await touched(client, 'DELETE FROM citizen_keys WHERE record_id = ANY($1::uuid[])', [[...transactionIds, ...bookingIds]]);
    }
    if (transactionIds.length > 0) {
      counts.transactions = await touched(
        client,
        `UPDATE transactions SET citizen_sealed = $2, payload_sealed = $3, citizen_id_hash = 'erased:' || id::text, request_hash = NULL,
                personal_data_erased_at = $4
          WHERE id = ANY($1::uuid[])`,
        [transactionIds, tombstones.citizen, tombstones.payload, at],
      );
      // The notes typed with a manual outcome or a conflict's resolution: free text kept on the row only (never in an event).
      for (const [column, path] of NOTES) {
        await client.query(`UPDATE transactions SET ${column} = jsonb_set(${column}, $2::text[], to_jsonb($3::text)) WHERE id = ANY($1::uuid[]) AND ${column} #>> $2::text[] IS NOT NULL`, [
          transactionIds,
          path,
          tombstones.note,
        ]);
      }
      counts.notices = await touched(client, `${DROP_NOTICE_PHONE} WHERE transaction_id = ANY($1::uuid[]) AND phone_sealed IS NOT NULL`, [transactionIds]);
    }
    if (bookingIds.length > 0) {
      counts.bookings = await touched(
        client,
        `UPDATE bookings SET citizen_sealed = $2, citizen_id_hash = 'erased:' || id::text, personal_data_erased_at = $3
          WHERE id = ANY($1::uuid[])`,
        [bookingIds, tombstones.citizen, at],
      );
    }
    return counts;
  }
}
