import type { Pool } from 'pg';
import type { AuditEvent, NewAuditEvent } from '../../audit/audit-event';
import type { AuditLog } from '../../audit/audit-log';
import { pgConstraint, statement, StatementTexts, timestamptzParam } from '../../db/pool';
import { answerJson } from '../../idempotency/domain/idempotent-request';
import { asRecorded, DISPATCHABLE_STATES, type NewTransaction, type Transaction, type TransactionState, type TransactionStep } from '../domain/transaction';
import { DomainError } from '../../shared/errors';
import {
  PROVISIONAL_REF_TAKEN,
  TransactionRepository,
  type Applied,
  type ApplyOptions,
  type ListFilter,
  type OverdueTransaction,
  type RecordOptions,
  type Recording,
  type ReplayProgress,
} from '../transaction.repository';
import type { ReplayCursor, ReplayFilters } from '../../replay-tasks/domain/replay-task';
import { REPLAY_PROGRESS_WINDOW_S } from '../domain/replay-progress';
import { STEP_TEXT_SHAPES, stepStatement } from './transaction-step.sql';
import { storeDataKeyCte } from '../../privacy/pg/citizen-keys.sql';
import { COLUMNS, columnsOf, toTransaction, type TransactionRow } from './transaction.row';

/** The new row's values, typed (an INSERT … SELECT does not take the columns' types for its parameters). */
const NEW_ROW_PARAMS = `$1::uuid, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::bytea, $10::bytea,
           $11::text, $12::integer, $13::integer, $14::timestamptz, $15::text, $16::text, $17::text, $18::text, $19::text,
           $20::boolean, $21::timestamptz, $21::timestamptz, $22::jsonb, $23::integer, $24::text`;

/**
 * The caller's Idempotency-Key claimed in the recording statement (core/idempotency's claim,
 * parameters $25–$28), with its answer when the row is recorded in its final state for the caller
 * ($29–$30). Not claimed when a transaction already holds the key (its claim was freed after a
 * failure): the ordinary claim then takes over and finds that transaction.
 */
function claimCte(withAnswer: boolean): string {
  return `claim AS (
         INSERT INTO idempotency_keys (scope, key, route, request_hash${withAnswer ? ', status, body' : ''})
         SELECT $25::text, $26::text, $27::text, $28::text${withAnswer ? ', $29::integer, $30::jsonb' : ''}
          WHERE NOT EXISTS (SELECT 1 FROM transactions WHERE idempotency_scope = $25::text AND idempotency_key = $26::text)
         ON CONFLICT (scope, key) DO NOTHING RETURNING 1)`;
}

/** Recording texts are kept for at most this many shapes of events per form (see recordText). */
const RECORD_TEXT_SHAPES = 64;

/** The transactions table, with the audit chain appended inside each changing statement. */
export class PgTransactionRepository extends TransactionRepository {
  /** recordText's texts, by form and then by the events' CTEs. */
  private readonly recordTexts = new StatementTexts(RECORD_TEXT_SHAPES);
  /** apply's step statement texts, by the step's shape and then by the events' CTEs. */
  private readonly stepTexts = new StatementTexts(STEP_TEXT_SHAPES);

  constructor(
    private readonly pool: Pool,
    private readonly audit: AuditLog,
    /** Named prepared statements for the hot path (production PostgreSQL; not the embedded database). */
    private readonly prepared = false,
  ) {
    super();
  }

  async record(tx: NewTransaction, events: NewAuditEvent[], options: RecordOptions = {}): Promise<Recording> {
    const values: unknown[] = [
      tx.id, tx.serviceCode, tx.agencyCode, tx.channel, tx.centreCode, tx.officerId, tx.submittedBy, tx.citizenIdHash,
      tx.citizenSealed, tx.payloadSealed, tx.state, tx.attempts, tx.maxAttempts, timestamptzParam(tx.nextAttemptAt), tx.idempotencyScope,
      tx.idempotencyKey, tx.requestHash, tx.fallback, tx.provisionalRef, tx.replayPending, timestamptzParam(events[0].occurredAt),
      tx.lastError ? JSON.stringify(tx.lastError) : null, tx.breakerRefusals ?? 0, tx.channelClient,
    ];
    const { claim, answer } = options;
    if (claim) values.push(claim.scope, claim.key, claim.route, claim.fingerprint);
    if (claim && answer) values.push(answer.status, answerJson(answer.body));
    if (tx.dataKeySealed) values.push(tx.dataKeySealed);
    // The data key, when there is one, is the last value before the chain's.
    const keyParam = tx.dataKeySealed ? values.length : 0;
    const chain = this.audit.appendChainCtes(events, 'inserted', values);
    const text = this.recordText(chain, claim !== undefined, claim !== undefined && answer !== undefined, keyParam);
    let row: { id: string | null; claimed?: boolean } | undefined;
    try {
      ({ rows: [row] } = await this.pool.query<{ id: string | null; claimed?: boolean }>(statement(text, values, this.prepared)));
    } catch (error) {
      if (pgConstraint(error) === 'transactions_provisional_ref') return { kind: 'provisional-ref-taken' };
      throw error;
    }
    if (row?.id) return { kind: 'created', transaction: asRecorded(tx, events[0].occurredAt) };
    if (claim && !row?.claimed) return { kind: 'key-claimed' };
    const existing = await this.pool.query<TransactionRow>(`SELECT ${COLUMNS} FROM transactions WHERE idempotency_scope = $1 AND idempotency_key = $2`, [
      tx.idempotencyScope,
      tx.idempotencyKey,
    ]);
    return { kind: 'existing', transaction: toTransaction(existing.rows[0]) };
  }

  /**
   * The recording statement's text, made once per form (claim, answer, data key; the events' CTEs)
   * and then the same string: no SQL built per submit, and the prepared statement's name found
   * without hashing a fresh text (core/db statement()). `chain` is looked up as it is (AuditLog
   * hands out the same string for events of the same shape, its hash already computed).
   */
  private recordText(chain: string, claim: boolean, answer: boolean, keyParam: number): string {
    const withKey = keyParam > 0;
    const form = (claim ? 1 : 0) + (answer ? 2 : 0) + (withKey ? 4 : 0);
    return this.recordTexts.text(form, chain, () => {
      const key = withKey ? `${storeDataKeyCte('inserted', '$1::uuid', `$${keyParam}::bytea`)},\n       ` : '';
      // One statement: the key's claim (when asked), the row, its data key and its events commit together, or
      // (on a claimed or repeated idempotency key) none is written. Nothing is read back: the row is what we wrote.
      return `WITH ${claim ? `${claimCte(answer)},
` : ''}inserted AS (
         INSERT INTO transactions (id, service_code, agency_code, channel, centre_code, officer_id, submitted_by,
           citizen_id_hash, citizen_sealed, payload_sealed, state, attempts, max_attempts, next_attempt_at,
           idempotency_scope, idempotency_key, request_hash, fallback, provisional_ref, replay_pending, created_at, updated_at, last_error, breaker_refusals, channel_client)
         ${claim ? `SELECT ${NEW_ROW_PARAMS} WHERE EXISTS (SELECT 1 FROM claim)` : `VALUES (${NEW_ROW_PARAMS})`}
         ON CONFLICT (idempotency_scope, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING id),
       ${key}${chain}
       SELECT (SELECT id FROM inserted) AS id${claim ? ', EXISTS (SELECT 1 FROM claim) AS claimed' : ''}`;
    });
  }

  async find(id: string): Promise<Transaction | null> {
    const { rows } = await this.pool.query<TransactionRow>(statement(`SELECT ${COLUMNS} FROM transactions WHERE id = $1`, [id], this.prepared));
    return rows[0] ? toTransaction(rows[0]) : null;
  }

  async findByReference(reference: string, limit: number): Promise<Transaction[]> {
    const { rows } = await this.pool.query<TransactionRow>(
      `(SELECT ${COLUMNS} FROM transactions WHERE provisional_ref = $1 LIMIT $2) UNION ALL (SELECT ${COLUMNS} FROM transactions WHERE agency_ref = $1 LIMIT $2)`,
      [reference, limit],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return [...byId.values()].slice(0, limit).map(toTransaction);
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
    if (filter.centreCode) add((p) => `centre_code = ${p}`, filter.centreCode);
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

  async claimAttempt(id: string, leaseMs: number, at: Date): Promise<Transaction | null> {
    // A timer may fire a moment before the clock says "due": allow one second.
    const { rows } = await this.pool.query<TransactionRow>(
      `UPDATE transactions
          SET attempts = attempts + 1,
              next_attempt_at = $4::timestamptz + make_interval(secs => $2::double precision / 1000),
              updated_at = $4
        WHERE id = $1 AND state = ANY($3::text[]) AND next_attempt_at <= $4::timestamptz + interval '1 second'
        RETURNING ${COLUMNS}`,
      [id, leaseMs, DISPATCHABLE_STATES, at],
    );
    return rows[0] ? toTransaction(rows[0]) : null;
  }

  async claimNextReplay(agencyCode: string, owner: string, leaseMs: number, at: Date): Promise<Transaction | null> {
    const { rows } = await this.pool.query<TransactionRow>(
      `WITH lease AS (
         UPDATE agency_modes SET replay_lease_until = now() + make_interval(secs => $3::double precision / 1000)
          WHERE agency_code = $1 AND replay_lease_owner = $2 AND replay_lease_until > now()
            -- The stored mode decides, not a replica's cached copy: a switch to manual (or a pause,
            -- or a maintenance window that has begun) stops the replay at the very next claim.
            AND NOT replay_paused
            AND (mode = 'auto' OR (mode = 'maintenance' AND NOT ($4::timestamptz >= window_start AND $4::timestamptz < window_end)))
          RETURNING agency_code),
       next AS (
         SELECT id FROM transactions
          WHERE agency_code = $1 AND replay_pending AND state = 'manual' AND EXISTS (SELECT 1 FROM lease)
          ORDER BY created_at, id LIMIT 1
          FOR UPDATE SKIP LOCKED)
       UPDATE transactions t SET attempts = t.attempts + 1, updated_at = $4
         FROM next WHERE t.id = next.id
       RETURNING ${columnsOf('t')}`,
      [agencyCode, owner, leaseMs, at],
    );
    return rows[0] ? toTransaction(rows[0]) : null;
  }

  async apply(id: string, step: TransactionStep, options: ApplyOptions = {}): Promise<Applied | null> {
    const { text, values } = stepStatement(id, step, options, this.audit, this.stepTexts);
    const { rows } = await this.pool
      .query<TransactionRow & { duplicate_of?: string | null; notice_recorded?: boolean; answered?: boolean }>(statement(text, values, this.prepared))
      .catch((error: unknown) => {
        if (pgConstraint(error) !== 'transactions_provisional_ref') throw error;
        throw new DomainError('conflict', PROVISIONAL_REF_TAKEN, 'The provisional reference drawn is already taken.');
      });
    const row = rows[0];
    if (!row) return null;
    return {
      transaction: options.answer ? options.answer.transaction : toTransaction(row),
      duplicateOf: row.duplicate_of ?? null,
      noticeRecorded: row.notice_recorded === true,
      answered: row.answered === true,
    };
  }

  async findOverdue(graceMs: number, limit: number, at: Date, exceptAgencies: readonly string[] = []): Promise<OverdueTransaction[]> {
    const { rows } = await this.pool.query<{ id: string; agency_code: string; attempts: number }>(
      `SELECT id, agency_code, attempts FROM transactions
        WHERE state = ANY($1::text[]) AND next_attempt_at < $4::timestamptz - make_interval(secs => $2::double precision / 1000)
          AND agency_code <> ALL($5::text[])
        ORDER BY next_attempt_at LIMIT $3`,
      [DISPATCHABLE_STATES, graceMs, limit, at, exceptAgencies],
    );
    return rows.map((row) => ({ id: row.id, agencyCode: row.agency_code, attempts: row.attempts }));
  }

  async findUnanswered(limit: number, at: Date): Promise<Transaction[]> {
    const { rows } = await this.pool.query<TransactionRow>(
      `SELECT ${COLUMNS} FROM transactions
        WHERE state = 'dispatched' AND next_attempt_at < $2
        ORDER BY next_attempt_at LIMIT $1`,
      [limit, at],
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

  async replayProgress(agencyCode: string, at: Date): Promise<ReplayProgress> {
    const { rows } = await this.pool.query<{ backlog: string; replayed: string; failed: string; recent: string; span: number | null }>(
      `SELECT count(*) FILTER (WHERE replay_pending AND state = 'manual') AS backlog,
              count(*) FILTER (WHERE replayed_at IS NOT NULL AND state NOT IN ('parked', 'manual')) AS replayed,
              count(*) FILTER (WHERE state = 'parked') AS failed,
              count(*) FILTER (WHERE replayed_at > $3::timestamptz - make_interval(secs => $2)) AS recent,
              extract(epoch FROM $3::timestamptz - min(replayed_at) FILTER (WHERE replayed_at > $3::timestamptz - make_interval(secs => $2)))::float8 AS span
         FROM transactions WHERE agency_code = $1 AND fallback = 'store-and-forward'`,
      [agencyCode, REPLAY_PROGRESS_WINDOW_S, at],
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

  async listReplayable(filters: ReplayFilters, after: ReplayCursor | null, limit: number): Promise<Transaction[]> {
    const { where, values } = replayableWhere(filters);
    if (after) {
      values.push(after.createdAt, after.id);
      where.push(`(created_at, id) > ($${values.length - 1}, $${values.length}::uuid)`);
    }
    values.push(limit);
    const { rows } = await this.pool.query<TransactionRow>(
      `SELECT ${COLUMNS} FROM transactions WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT $${values.length}`,
      values,
    );
    return rows.map(toTransaction);
  }

  async countReplayable(filters: ReplayFilters): Promise<number> {
    const { where, values } = replayableWhere(filters);
    const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM transactions WHERE ${where.join(' AND ')}`, values);
    return Number(rows[0].n);
  }

  async hasBacklog(agencyCode: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ waiting: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM transactions WHERE agency_code = $1 AND replay_pending AND state = 'manual') AS waiting`,
      [agencyCode],
    );
    return rows[0].waiting;
  }
}

/** The transactions a replay request may put back (the same rule as `requeueStep`), with the filters. */
function replayableWhere(filters: ReplayFilters): { where: string[]; values: unknown[] } {
  const states = filters.states ?? ['parked'];
  const values: unknown[] = [states];
  const where = [
    `state = ANY($1::text[])`,
    `(state = 'parked' OR (state = 'manual' AND NOT replay_pending AND fallback IS DISTINCT FROM 'manual'))`,
  ];
  const add = (clause: (param: string) => string, value: unknown): void => {
    values.push(value);
    where.push(clause(`$${values.length}`));
  };
  if (filters.agency) add((p) => `agency_code = ${p}`, filters.agency);
  if (filters.service) add((p) => `service_code = ${p}`, filters.service);
  if (filters.reason) add((p) => `coalesce(parked_reason->>'code', last_error->>'code') = ${p}`, filters.reason);
  if (filters.from) add((p) => `created_at >= ${p}::timestamptz`, filters.from);
  if (filters.to) add((p) => `created_at < ${p}::timestamptz`, filters.to);
  return { where, values };
}
