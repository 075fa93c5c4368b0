import type { Pool } from 'pg';
import { statement } from '../../db/pool';
import type { AuditLog } from '../../audit/audit-log';
import type { AuditEvent, NewAuditEvent } from '../../audit/audit-event';
import { DUPLICATE_HOLDER_SQL, flagDuplicateReference } from './duplicate-reference';
import { DISPATCHABLE_STATES, statesLeadingTo, type TransactionRecord, type TransactionState } from '../domain/transaction';
import {
  TransactionRepository,
  type AnswerRecording,
  type NewTransactionRecord,
  type OverdueTransaction,
  type StateChange,
} from '../transaction.repository';

export const COLUMNS = `id, service_code, agency_code, channel, centre_code, officer_id, submitted_by, citizen_id_hash,
  citizen_sealed, payload_sealed, state, attempts, max_attempts, next_attempt_at, agency_ref, result, last_error,
  idempotency_scope, idempotency_key, request_hash, created_at, updated_at`;

export class PgTransactionRepository extends TransactionRepository {
  constructor(
    private readonly pool: Pool,
    private readonly audit: AuditLog,
    /** Named prepared statements for the hot path (production PostgreSQL; not the embedded database). */
    private readonly prepared = false,
  ) {
    super();
  }

  async insertReceived(record: NewTransactionRecord, event: NewAuditEvent): Promise<{ row: TransactionRecord; created: boolean }> {
    const values = [
      record.id,
      record.serviceCode,
      record.agencyCode,
      record.channel,
      record.centreCode,
      record.officerId,
      record.submittedBy,
      record.citizenIdHash,
      record.citizenSealed,
      record.payloadSealed,
      record.state,
      record.attempts,
      record.maxAttempts,
      record.nextAttemptAt,
      record.idempotencyScope,
      record.idempotencyKey,
      record.requestHash,
      event.occurredAt,
    ];
    const chain = this.audit.chainCtes([event], values.length + 1, 'inserted');
    // One statement: the row and its `received` event commit together, or (on a repeated
    // idempotency key) neither is written.
    const inserted = await this.pool.query<TransactionRow>(
      statement(
        `WITH inserted AS (
         INSERT INTO transactions (id, service_code, agency_code, channel, centre_code, officer_id, submitted_by,
           citizen_id_hash, citizen_sealed, payload_sealed, state, attempts, max_attempts, next_attempt_at,
           idempotency_scope, idempotency_key, request_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)
         ON CONFLICT (idempotency_scope, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING ${COLUMNS}),
       ${chain.ctes}
       SELECT * FROM inserted`,
        [...values, ...chain.params],
        this.prepared,
      ),
    );
    if (inserted.rows[0]) return { row: toRecord(inserted.rows[0]), created: true };
    const existing = await this.pool.query<TransactionRow>(
      `SELECT ${COLUMNS} FROM transactions WHERE idempotency_scope = $1 AND idempotency_key = $2`,
      [record.idempotencyScope, record.idempotencyKey],
    );
    return { row: toRecord(existing.rows[0]), created: false };
  }

  async findById(id: string): Promise<TransactionRecord | null> {
    const { rows } = await this.pool.query<TransactionRow>(statement(`SELECT ${COLUMNS} FROM transactions WHERE id = $1`, [id], this.prepared));
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async claimAttempt(id: string, leaseMs: number): Promise<TransactionRecord | null> {
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
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async applyAttempt(id: string, attempt: number, change: StateChange, events: NewAuditEvent[]): Promise<TransactionRecord | null> {
    const values = [
      id,
      attempt,
      change.state,
      change.agencyRef ?? null,
      change.result === undefined || change.result === null ? null : JSON.stringify(change.result),
      change.lastError ? JSON.stringify(change.lastError) : null,
      change.nextAttemptAt ?? null,
      statesLeadingTo(change.state),
    ];
    const update = `UPDATE transactions
            SET state = $3,
                agency_ref = COALESCE($4, agency_ref),
                result = COALESCE($5::jsonb, result),
                last_error = $6::jsonb,
                next_attempt_at = $7,
                updated_at = now()
          WHERE id = $1 AND attempts = $2 AND state = ANY($8::text[])
          RETURNING ${COLUMNS}`;
    if (events.length === 0) {
      const { rows } = await this.pool.query<TransactionRow>(statement(update, values, this.prepared));
      return rows[0] ? toRecord(rows[0]) : null;
    }
    // One statement: the events are appended only if the guarded update changed the row.
    const chain = this.audit.chainCtes(events, values.length + 1, 'updated');
    const { rows } = await this.pool.query<TransactionRow & { duplicate_of: string | null }>(
      statement(
        `WITH updated AS (${update}),\n${chain.ctes}\nSELECT *, ${DUPLICATE_HOLDER_SQL} FROM updated`,
        [...values, ...chain.params],
        this.prepared,
      ),
    );
    if (!rows[0]) return null;
    const flagged = await flagDuplicateReference(this.pool, this.audit, rows[0], events[events.length - 1].occurredAt, rows[0].duplicate_of);
    return toRecord(flagged ?? rows[0]);
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

  async findUnanswered(limit: number): Promise<TransactionRecord[]> {
    const { rows } = await this.pool.query<TransactionRow>(
      `SELECT ${COLUMNS} FROM transactions
        WHERE state = 'dispatched' AND next_attempt_at < now()
        ORDER BY next_attempt_at LIMIT $1`,
      [limit],
    );
    return rows.map(toRecord);
  }

  async recordAnswer(id: string, agencyCode: string, change: StateChange, event: NewAuditEvent): Promise<AnswerRecording> {
    const values = [
      id,
      agencyCode,
      change.state,
      change.agencyRef ?? null,
      change.result === undefined || change.result === null ? null : JSON.stringify(change.result),
      change.lastError ? JSON.stringify(change.lastError) : null,
      statesLeadingTo(change.state),
    ];
    const chain = this.audit.chainCtes([event], values.length + 1, 'updated');
    // One statement, guarded on the state: of two copies of one answer, only the first changes anything.
    const { rows } = await this.pool.query<TransactionRow>(
      `WITH updated AS (
         UPDATE transactions
            SET state = $3, agency_ref = COALESCE($4, agency_ref), result = COALESCE($5::jsonb, result),
                last_error = $6::jsonb, next_attempt_at = NULL, updated_at = now()
          WHERE id = $1 AND agency_code = $2 AND state = ANY($7::text[])
          RETURNING ${COLUMNS}),
       ${chain.ctes}
       SELECT * FROM updated`,
      [...values, ...chain.params],
    );
    if (rows[0]) {
      const flagged = await flagDuplicateReference(this.pool, this.audit, rows[0], event.occurredAt);
      return { kind: 'recorded', row: toRecord(flagged ?? rows[0]) };
    }
    const existing = await this.pool.query<{ state: TransactionState }>(`SELECT state FROM transactions WHERE id = $1 AND agency_code = $2`, [id, agencyCode]);
    return existing.rows[0] ? { kind: 'unchanged', state: existing.rows[0].state } : { kind: 'unknown' };
  }

  history(id: string): Promise<AuditEvent[]> {
    return this.audit.history(this.pool, 'transaction', id);
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
}

export interface TransactionRow {
  id: string;
  service_code: string;
  agency_code: string;
  channel: TransactionRecord['channel'];
  centre_code: string | null;
  officer_id: string | null;
  submitted_by: string;
  citizen_id_hash: string;
  citizen_sealed: Buffer;
  payload_sealed: Buffer;
  state: TransactionState;
  attempts: number;
  max_attempts: number;
  next_attempt_at: Date | null;
  agency_ref: string | null;
  result: Record<string, unknown> | null;
  last_error: TransactionRecord['lastError'];
  idempotency_scope: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  created_at: Date;
  updated_at: Date;
}

export function toRecord(row: TransactionRow): TransactionRecord {
  return {
    id: row.id,
    serviceCode: row.service_code,
    agencyCode: row.agency_code,
    channel: row.channel,
    centreCode: row.centre_code,
    officerId: row.officer_id,
    submittedBy: row.submitted_by,
    citizenIdHash: row.citizen_id_hash,
    citizenSealed: row.citizen_sealed,
    payloadSealed: row.payload_sealed,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    nextAttemptAt: row.next_attempt_at,
    agencyRef: row.agency_ref,
    result: row.result,
    lastError: row.last_error,
    idempotencyScope: row.idempotency_scope,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
