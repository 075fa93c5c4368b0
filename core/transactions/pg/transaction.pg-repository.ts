import type { Pool } from 'pg';
import type { AuditEvent, NewAuditEvent } from '../../audit/audit-event';
import type { AuditLog } from '../../audit/audit-log';
import { pgConstraint, statement } from '../../db/pool';
import { DISPATCHABLE_STATES, type NewTransaction, type Transaction, type TransactionState, type TransactionStep } from '../domain/transaction';
import { DomainError } from '../../shared/errors';
import {
  PROVISIONAL_REF_TAKEN,
  TransactionRepository,
  type Applied,
  type ApplyOptions,
  type ListFilter,
  type OverdueTransaction,
  type Recording,
  type ReplayProgress,
} from '../transaction.repository';
import { REPLAY_PROGRESS_WINDOW_S } from '../domain/replay-progress';
import { stepStatement } from './transaction-step.sql';
import { COLUMNS, columnsOf, toTransaction, type TransactionRow } from './transaction.row';

/** The transactions table, with the audit chain appended inside each changing statement. */
export class PgTransactionRepository extends TransactionRepository {
  constructor(
    private readonly pool: Pool,
    private readonly audit: AuditLog,
    /** Named prepared statements for the hot path (production PostgreSQL; not the embedded database). */
    private readonly prepared = false,
  ) {
    super();
  }

  async record(tx: NewTransaction, events: NewAuditEvent[]): Promise<Recording> {
    const values = [
      tx.id, tx.serviceCode, tx.agencyCode, tx.channel, tx.centreCode, tx.officerId, tx.submittedBy, tx.citizenIdHash,
      tx.citizenSealed, tx.payloadSealed, tx.state, tx.attempts, tx.maxAttempts, tx.nextAttemptAt, tx.idempotencyScope,
      tx.idempotencyKey, tx.requestHash, tx.fallback, tx.provisionalRef, tx.replayPending, events[0].occurredAt,
    ];
    const chain = this.audit.chainCtes(events, values.length + 1, 'inserted');
    // One statement: the row and its events commit together, or (on a repeated idempotency key) neither is written.
    const text = `WITH inserted AS (
         INSERT INTO transactions (id, service_code, agency_code, channel, centre_code, officer_id, submitted_by,
           citizen_id_hash, citizen_sealed, payload_sealed, state, attempts, max_attempts, next_attempt_at,
           idempotency_scope, idempotency_key, request_hash, fallback, provisional_ref, replay_pending, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21)
         ON CONFLICT (idempotency_scope, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING ${COLUMNS}),
       ${chain.ctes}
       SELECT * FROM inserted`;
    try {
      const { rows } = await this.pool.query<TransactionRow>(statement(text, [...values, ...chain.params], this.prepared));
      if (rows[0]) return { kind: 'created', transaction: toTransaction(rows[0]) };
    } catch (error) {
      if (pgConstraint(error) === 'transactions_provisional_ref') return { kind: 'provisional-ref-taken' };
      throw error;
    }
    const existing = await this.pool.query<TransactionRow>(`SELECT ${COLUMNS} FROM transactions WHERE idempotency_scope = $1 AND idempotency_key = $2`, [
      tx.idempotencyScope,
      tx.idempotencyKey,
    ]);
    return { kind: 'existing', transaction: toTransaction(existing.rows[0]) };
  }

  async find(id: string): Promise<Transaction | null> {
    const { rows } = await this.pool.query<TransactionRow>(statement(`SELECT ${COLUMNS} FROM transactions WHERE id = $1`, [id], this.prepared));
    return rows[0] ? toTransaction(rows[0]) : null;
  }

  history(id: string): Promise<AuditEvent[]> {
    return this.audit.history(this.pool, 'transaction', id);
  }

  async list(filter: ListFilter): Promise<Transaction[]> {
    const where = ['state = $1'];
    const values: unknown[] = [filter.state];
    const add = (clause: (param: string) => string, value: unknown): void => {
      values.push(value);
      where.push(clause(`$${values.length}`));
    };
    if (filter.agencyCode) add((p) => `agency_code = ${p}`, filter.agencyCode);
    if (filter.serviceCode) add((p) => `service_code = ${p}`, filter.serviceCode);
    if (filter.reasonCode) add((p) => `parked_reason->>'code' = ${p}`, filter.reasonCode);
    if (filter.after) {
      values.push(filter.after.createdAt, filter.after.id);
      where.push(`(created_at, id) > ($${values.length - 1}, $${values.length}::uuid)`);
    }
    values.push(filter.limit);
    const { rows } = await this.pool.query<TransactionRow>(
      `SELECT ${COLUMNS} FROM transactions WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT $${values.length}`,
      values,
    );
    return rows.map(toTransaction);
  }

  async claimAttempt(id: string, leaseMs: number): Promise<Transaction | null> {
    // A timer may fire a moment before the database clock says "due": allow one second.
    const { rows } = await this.pool.query<TransactionRow>(
      `UPDATE transactions
          SET attempts = attempts + 1,
              next_attempt_at = now() + make_interval(secs => $2::double precision / 1000),
              updated_at = now()
        WHERE id = $1 AND state = ANY($3::text[]) AND next_attempt_at <= now() + interval '1 second'
        RETURNING ${COLUMNS}`,
      [id, leaseMs, DISPATCHABLE_STATES],
    );
    return rows[0] ? toTransaction(rows[0]) : null;
  }

  async claimNextReplay(agencyCode: string, owner: string, leaseMs: number): Promise<Transaction | null> {
    const { rows } = await this.pool.query<TransactionRow>(
      `WITH lease AS (
         UPDATE agency_modes SET replay_lease_until = now() + make_interval(secs => $3::double precision / 1000)
          WHERE agency_code = $1 AND replay_lease_owner = $2 AND replay_lease_until > now()
            -- The stored mode decides, not a replica's cached copy: a switch to manual (or a pause,
            -- or a maintenance window that has begun) stops the replay at the very next claim.
            AND NOT replay_paused
            AND (mode = 'auto' OR (mode = 'maintenance' AND NOT (now() >= window_start AND now() < window_end)))
          RETURNING agency_code),
       next AS (
         SELECT id FROM transactions
          WHERE agency_code = $1 AND replay_pending AND state = 'manual' AND EXISTS (SELECT 1 FROM lease)
          ORDER BY created_at, id LIMIT 1
          FOR UPDATE SKIP LOCKED)
       UPDATE transactions t SET attempts = t.attempts + 1, updated_at = now()
         FROM next WHERE t.id = next.id
       RETURNING ${columnsOf('t')}`,
      [agencyCode, owner, leaseMs],
    );
    return rows[0] ? toTransaction(rows[0]) : null;
  }

  async apply(id: string, step: TransactionStep, options: ApplyOptions = {}): Promise<Applied | null> {
    const { text, values } = stepStatement(id, step, options, this.audit);
    const { rows } = await this.pool
      .query<TransactionRow & { duplicate_of?: string | null; notice_recorded?: boolean }>(statement(text, values, this.prepared))
      .catch((error: unknown) => {
        if (pgConstraint(error) !== 'transactions_provisional_ref') throw error;
        throw new DomainError('conflict', PROVISIONAL_REF_TAKEN, 'The provisional reference drawn is already taken.');
      });
    const row = rows[0];
    if (!row) return null;
    return { transaction: toTransaction(row), duplicateOf: row.duplicate_of ?? null, noticeRecorded: row.notice_recorded === true };
  }

  async findOverdue(graceMs: number, limit: number): Promise<OverdueTransaction[]> {
    const { rows } = await this.pool.query<{ id: string; agency_code: string; attempts: number }>(
      `SELECT id, agency_code, attempts FROM transactions
        WHERE state = ANY($1::text[]) AND next_attempt_at < now() - make_interval(secs => $2::double precision / 1000)
        ORDER BY next_attempt_at LIMIT $3`,
      [DISPATCHABLE_STATES, graceMs, limit],
    );
    return rows.map((row) => ({ id: row.id, agencyCode: row.agency_code, attempts: row.attempts }));
  }

  async findUnanswered(limit: number): Promise<Transaction[]> {
    const { rows } = await this.pool.query<TransactionRow>(
      `SELECT ${COLUMNS} FROM transactions
        WHERE state = 'dispatched' AND next_attempt_at < now()
        ORDER BY next_attempt_at LIMIT $1`,
      [limit],
    );
    return rows.map(toTransaction);
  }

  async openCountsByAgency(): Promise<Record<string, Partial<Record<TransactionState, number>>>> {
    const { rows } = await this.pool.query<{ agency_code: string; state: TransactionState; n: string }>(
      `SELECT agency_code, state, count(*) AS n FROM transactions
        WHERE state IN ('received', 'dispatched', 'retrying', 'manual', 'parked', 'conflict') GROUP BY agency_code, state`,
    );
    const counts: Record<string, Partial<Record<TransactionState, number>>> = {};
    for (const row of rows) (counts[row.agency_code] ??= {})[row.state] = Number(row.n);
    return counts;
  }

  async replayProgress(agencyCode: string): Promise<ReplayProgress> {
    const { rows } = await this.pool.query<{ backlog: string; replayed: string; failed: string; recent: string; span: number | null }>(
      `SELECT count(*) FILTER (WHERE replay_pending AND state = 'manual') AS backlog,
              count(*) FILTER (WHERE replayed_at IS NOT NULL AND state NOT IN ('parked', 'manual')) AS replayed,
              count(*) FILTER (WHERE state = 'parked') AS failed,
              count(*) FILTER (WHERE replayed_at > now() - make_interval(secs => $2)) AS recent,
              extract(epoch FROM now() - min(replayed_at) FILTER (WHERE replayed_at > now() - make_interval(secs => $2)))::float8 AS span
         FROM transactions WHERE agency_code = $1 AND fallback = 'store-and-forward'`,
      [agencyCode, REPLAY_PROGRESS_WINDOW_S],
    );
    const row = rows[0];
    return {
      backlog: Number(row.backlog),
      replayed: Number(row.replayed),
      failed: Number(row.failed),
      recent: { count: Number(row.recent), spanSeconds: row.span ?? 0 },
    };
  }

  async backlogByAgency(): Promise<Record<string, number>> {
    const { rows } = await this.pool.query<{ agency_code: string; n: string }>(
      `SELECT agency_code, count(*) AS n FROM transactions WHERE replay_pending AND state = 'manual' GROUP BY agency_code`,
    );
    return Object.fromEntries(rows.map((row) => [row.agency_code, Number(row.n)]));
  }

  async hasBacklog(agencyCode: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ waiting: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM transactions WHERE agency_code = $1 AND replay_pending AND state = 'manual') AS waiting`,
      [agencyCode],
    );
    return rows[0].waiting;
  }
}
