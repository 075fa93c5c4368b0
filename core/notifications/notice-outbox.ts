import type { Pool } from 'pg';
import { normalisePhone, phoneLookupHash } from '../bookings/domain/booking';
import type { Queryable } from '../db/pool';
import type { PersonalDataVault } from '../shared/personal-data';

/**
 * A notice for a citizen, kept until it is sent: its kind, its text and the phone, sealed. Tied to
 * a transaction (once per transaction and kind) or to a caller's own once-only `key` (an outage
 * notice per booking, say). Written in the caller's database transaction, so a notice exists if
 * and only if what it announces does.
 */
export interface NewNotice {
  kind: string;
  /** Facts only (references, service, centre, time), never personal data: it is stored readable. */
  text: string;
  /** E.164; sealed before it is stored. Absent: the notice is kept but there is nothing to send. */
  phone?: string;
  transactionId?: string;
  /** Once-only key for a notice not tied to a transaction; a second notice with it is not written. */
  key?: string;
}

/** A notice the drainer claimed, its attempt taken. */
export interface DueNotice {
  id: string;
  kind: string;
  text: string;
  phoneSealed: Buffer;
  /** Including this one. */
  attempts: number;
}

/**
 * `citizen_notices` as an outbox: written by whoever has something to tell a citizen, drained by
 * the worker (use-cases/drain-notices.ts) through the configured SMS driver, with retries.
 */
export class NoticeOutbox {
  constructor(
    private readonly pool: Pool,
    private readonly vault: PersonalDataVault,
  ) {}

  /** Writes the notice (on `db`: the caller's transaction, or the pool); false when it was already there. */
  async enqueue(notice: NewNotice, db: Queryable = this.pool): Promise<boolean> {
    const phoneSealed = notice.phone ? this.vault.seal(notice.phone) : null;
    // The keyed hash is how erasure finds a notice tied to no transaction (core/privacy); a tied
    // one goes with its transaction and carries none (migration 0126).
    const phoneHash = notice.phone && !notice.transactionId ? phoneLookupHash(this.vault, normalisePhone(notice.phone)) : null;
    const { rowCount } = await db.query(
      `INSERT INTO citizen_notices (transaction_id, notice_key, kind, body, phone_sealed, phone_hash, status)
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $5::bytea IS NULL THEN 'no-phone' ELSE 'pending' END)
       ON CONFLICT DO NOTHING`,
      [notice.transactionId ?? null, notice.key ?? null, notice.kind, notice.text, phoneSealed, phoneHash],
    );
    return rowCount === 1;
  }

  /**
   * Up to `limit` notices due now, oldest first, each with its attempt taken and hidden from other
   * drainers for `leaseMs` (a drainer that dies mid-send leaves it to be sent again after that).
   */
  async claimDue(limit: number, leaseMs: number): Promise<DueNotice[]> {
    const { rows } = await this.pool.query<{ id: string; kind: string; body: string; phone_sealed: Buffer; attempts: number }>(
      `UPDATE citizen_notices n
          SET attempts = n.attempts + 1, next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
         FROM (SELECT id FROM citizen_notices WHERE status = 'pending' AND next_attempt_at <= now()
                ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) due
        WHERE n.id = due.id
        RETURNING n.id, n.kind, n.body, n.phone_sealed, n.attempts`,
      [limit, leaseMs],
    );
    return rows.map((row) => ({ id: String(row.id), kind: row.kind, text: row.body, phoneSealed: row.phone_sealed, attempts: row.attempts }));
  }

  async markSent(id: string, providerRef: string | undefined): Promise<void> {
    await this.pool.query(`UPDATE citizen_notices SET status = 'sent', sent_at = now(), provider_ref = $2, last_error = NULL WHERE id = $1`, [id, providerRef ?? null]);
  }

  /** A failed try: due again in `retryInMs`, or given up (`failed`) when null. */
  async markFailed(id: string, error: string, retryInMs: number | null): Promise<void> {
    await this.pool.query(
      `UPDATE citizen_notices
          SET last_error = $2,
              status = CASE WHEN $3::double precision IS NULL THEN 'failed' ELSE status END,
              next_attempt_at = CASE WHEN $3::double precision IS NULL THEN next_attempt_at ELSE now() + make_interval(secs => $3::double precision / 1000) END
        WHERE id = $1`,
      [id, error, retryInMs],
    );
  }
}
