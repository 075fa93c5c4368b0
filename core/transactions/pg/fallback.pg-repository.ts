import type { Pool } from 'pg';
import type { AuditLog } from '../../audit/audit-log';
import type { NewAuditEvent } from '../../audit/audit-event';
import { pgConstraint } from '../../db/pool';
import type { TransactionRecord, TransactionState } from '../domain/transaction';
import {
  FallbackRepository,
  type AppliedFallback,
  type ConflictRecord,
  type FallbackFacts,
  type FallbackTransaction,
  type ListFilter,
  type ManualOutcome,
  type ManualOutcomeResult,
  type ReplayProgress,
  type ReplayResult,
} from '../fallback.repository';
import type { NewTransactionRecord, StateChange } from '../transaction.repository';
import { flagDuplicateReference } from './duplicate-reference';
import { COLUMNS, toRecord, type TransactionRow } from './transaction.pg-repository';

const FACTS = 'fallback, provisional_ref, replay_pending, replayed_at, manual_outcome, parked_reason, conflict';
const ALL = `${COLUMNS}, ${FACTS}`;

interface FactsRow {
  fallback: AppliedFallback | null;
  provisional_ref: string | null;
  replay_pending: boolean;
  replayed_at: Date | null;
  manual_outcome: FallbackFacts['manualOutcome'];
  parked_reason: FallbackFacts['parkedReason'];
  conflict: FallbackFacts['conflict'];
}
type Row = TransactionRow & FactsRow;

function toFallback(row: Row): FallbackTransaction {
  return {
    record: toRecord(row),
    facts: {
      fallback: row.fallback,
      provisionalRef: row.provisional_ref,
      replayPending: row.replay_pending,
      replayedAt: row.replayed_at,
      manualOutcome: row.manual_outcome,
      parkedReason: row.parked_reason,
      conflict: row.conflict,
    },
  };
}

export class PgFallbackRepository extends FallbackRepository {
  constructor(
    private readonly pool: Pool,
    private readonly audit: AuditLog,
  ) {
    super();
  }

  /** A guarded UPDATE (… RETURNING ${ALL}) and its events as one statement: no row, no events. */
  private async guarded(update: string, values: unknown[], events: NewAuditEvent[]): Promise<Row | null> {
    if (events.length === 0) return (await this.pool.query<Row>(update, values)).rows[0] ?? null;
    const chain = this.audit.chainCtes(events, values.length + 1, 'changed');
    const { rows } = await this.pool.query<Row>(`WITH changed AS (${update}),\n${chain.ctes}\nSELECT * FROM changed`, [...values, ...chain.params]);
    return rows[0] ?? null;
  }

  async insertFallback(
    record: NewTransactionRecord,
    facts: { fallback: AppliedFallback; provisionalRef: string; replayPending: boolean },
    events: NewAuditEvent[],
  ): Promise<{ kind: 'created' | 'existing'; row: TransactionRecord } | { kind: 'provisional-ref-taken' }> {
    const values = [
      record.id, record.serviceCode, record.agencyCode, record.channel, record.centreCode, record.officerId, record.submittedBy,
      record.citizenIdHash, record.citizenSealed, record.payloadSealed, record.state, record.attempts, record.maxAttempts,
      record.nextAttemptAt, record.idempotencyScope, record.idempotencyKey, record.requestHash, events[0].occurredAt,
      facts.fallback, facts.provisionalRef, facts.replayPending,
    ];
    const insert = `INSERT INTO transactions (id, service_code, agency_code, channel, centre_code, officer_id, submitted_by,
           citizen_id_hash, citizen_sealed, payload_sealed, state, attempts, max_attempts, next_attempt_at,
           idempotency_scope, idempotency_key, request_hash, created_at, updated_at, fallback, provisional_ref, replay_pending)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18, $19, $20, $21)
         ON CONFLICT (idempotency_scope, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING ${ALL}`;
    try {
      const row = await this.guarded(insert, values, events);
      if (row) return { kind: 'created', row: toRecord(row) };
    } catch (error) {
      if (pgConstraint(error) === 'transactions_provisional_ref') return { kind: 'provisional-ref-taken' };
      throw error;
    }
    const existing = await this.pool.query<Row>(`SELECT ${ALL} FROM transactions WHERE idempotency_scope = $1 AND idempotency_key = $2`, [
      record.idempotencyScope,
      record.idempotencyKey,
    ]);
    return { kind: 'existing', row: toRecord(existing.rows[0]) };
  }

  async find(id: string): Promise<FallbackTransaction | null> {
    const { rows } = await this.pool.query<Row>(`SELECT ${ALL} FROM transactions WHERE id = $1`, [id]);
    return rows[0] ? toFallback(rows[0]) : null;
  }

  async claimNextReplay(agencyCode: string, owner: string, leaseMs: number): Promise<TransactionRecord | null> {
    const { rows } = await this.pool.query<Row>(
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
       RETURNING ${ALL.split(',').map((c) => `t.${c.trim()}`).join(', ')}`,
      [agencyCode, owner, leaseMs],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async applyReplay(
    id: string,
    attempt: number,
    change: StateChange & { keepPending: boolean; parkedReason?: FallbackFacts['parkedReason'] },
    events: NewAuditEvent[],
    notice?: { kind: string; phoneSealed: Buffer | null },
  ): Promise<ReplayResult> {
    const update = `UPDATE transactions
          SET state = $3, agency_ref = COALESCE($4, agency_ref), result = COALESCE($5::jsonb, result), last_error = $6::jsonb,
              next_attempt_at = $7, replay_pending = $8, replayed_at = CASE WHEN $8 THEN replayed_at ELSE now() END,
              parked_reason = $9::jsonb, updated_at = now()
        WHERE id = $1 AND attempts = $2 AND state = 'manual' AND replay_pending
        RETURNING ${ALL}`;
    const values: unknown[] = [
      id,
      attempt,
      change.state,
      change.agencyRef ?? null,
      change.result ? JSON.stringify(change.result) : null,
      change.lastError ? JSON.stringify(change.lastError) : null,
      change.nextAttemptAt ?? null,
      change.keepPending,
      change.parkedReason ? JSON.stringify(change.parkedReason) : null,
    ];
    if (!notice || change.state !== 'completed' || events.length === 0) {
      const row = await this.guarded(update, values, events);
      if (!row) return { kind: 'moved' };
      const flagged = events.length > 0 ? await flagDuplicateReference(this.pool, this.audit, row, events[events.length - 1].occurredAt) : null;
      return { kind: 'applied', row: toFallback(flagged ?? row) };
    }
    // The notice row commits with the completion: recorded after it, a crash in between lost it.
    values.push(notice.kind, notice.phoneSealed);
    const chain = this.audit.chainCtes(events, values.length + 1, 'changed');
    const { rows } = await this.pool.query<Row & { notice_recorded: boolean }>(
      `WITH changed AS (${update}),
       notice AS (
         INSERT INTO citizen_notices (transaction_id, kind, agency_ref, phone_sealed)
         SELECT id, $10::text, agency_ref, $11::bytea FROM changed WHERE state = 'completed'
         ON CONFLICT (transaction_id, kind) DO NOTHING RETURNING transaction_id),
       ${chain.ctes}
       SELECT changed.*, EXISTS (SELECT 1 FROM notice) AS notice_recorded FROM changed`,
      [...values, ...chain.params],
    );
    const row = rows[0];
    if (!row) return { kind: 'moved' };
    const flagged = await flagDuplicateReference(this.pool, this.audit, row, events[events.length - 1].occurredAt);
    return { kind: 'applied', row: toFallback(flagged ?? row), noticeRecorded: row.notice_recorded };
  }

  async flagConflictFromReplay(id: string, agency: ConflictRecord['agency'], event: NewAuditEvent): Promise<FallbackTransaction | null> {
    const row = await this.guarded(
      `UPDATE transactions
          SET state = 'conflict', replayed_at = now(), replay_pending = false,
              conflict = jsonb_build_object('agency', $2::jsonb, 'manual', manual_outcome), updated_at = now()
        WHERE id = $1 AND state IN ('completed_manually', 'rejected') AND manual_outcome IS NOT NULL
        RETURNING ${ALL}`,
      [id, JSON.stringify(agency)],
      [event],
    );
    return row ? toFallback(row) : null;
  }

  async recordManualOutcome(id: string, outcome: ManualOutcome, event: NewAuditEvent): Promise<ManualOutcomeResult> {
    const current = await this.find(id);
    if (!current) return { kind: 'refused', state: 'cancelled' };
    const { state } = current.record;
    if (state === 'manual' || state === 'parked') {
      const to: TransactionState = outcome.outcome === 'completed' ? 'completed_manually' : 'rejected';
      const row = await this.guarded(
        `UPDATE transactions
            SET state = $3, manual_outcome = $4::jsonb, agency_ref = COALESCE($5, agency_ref), replay_pending = false,
                next_attempt_at = NULL, parked_reason = NULL, updated_at = now()
          WHERE id = $1 AND state = $2
          RETURNING ${ALL}`,
        [id, state, to, JSON.stringify(outcome), outcome.agencyRef],
        [{ ...event, type: to }],
      );
      return row ? { kind: 'recorded', row: toFallback(row) } : { kind: 'refused', state };
    }
    // The replay already reached the agency: two outcomes for one application. Never overwrite either.
    if ((state === 'completed' || state === 'rejected') && current.facts.replayedAt && !current.facts.manualOutcome) {
      const agency = { agencyRef: current.record.agencyRef, outcome: state, at: current.facts.replayedAt.toISOString() };
      const row = await this.guarded(
        `UPDATE transactions
            SET state = 'conflict', manual_outcome = $3::jsonb,
                conflict = jsonb_build_object('agency', $4::jsonb, 'manual', $3::jsonb), updated_at = now()
          WHERE id = $1 AND state = $2 AND manual_outcome IS NULL
          RETURNING ${ALL}`,
        [id, state, JSON.stringify(outcome), JSON.stringify(agency)],
        [{ ...event, type: 'conflict', data: { ...event.data, agencyRef: current.record.agencyRef, replayedOutcome: state } }],
      );
      return row ? { kind: 'conflict', row: toFallback(row) } : { kind: 'refused', state };
    }
    return { kind: 'refused', state };
  }

  async requeue(id: string, event: NewAuditEvent): Promise<FallbackTransaction | null> {
    const row = await this.guarded(
      `UPDATE transactions
          SET state = 'manual', replay_pending = true, parked_reason = NULL, fallback = 'store-and-forward', updated_at = now()
        WHERE id = $1 AND (state = 'parked' OR (state = 'manual' AND NOT replay_pending AND fallback IS DISTINCT FROM 'manual'))
        RETURNING ${ALL}`,
      [id],
      [event],
    );
    return row ? toFallback(row) : null;
  }

  async list(filter: ListFilter): Promise<FallbackTransaction[]> {
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
    const { rows } = await this.pool.query<Row>(
      `SELECT ${ALL} FROM transactions WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT $${values.length}`,
      values,
    );
    return rows.map(toFallback);
  }

  async progress(agencyCode: string): Promise<ReplayProgress> {
    const { rows } = await this.pool.query<{ backlog: string; replayed: string; failed: string }>(
      `SELECT count(*) FILTER (WHERE replay_pending AND state = 'manual') AS backlog,
              count(*) FILTER (WHERE replayed_at IS NOT NULL AND state NOT IN ('parked', 'manual')) AS replayed,
              count(*) FILTER (WHERE state = 'parked') AS failed
         FROM transactions WHERE agency_code = $1 AND fallback = 'store-and-forward'`,
      [agencyCode],
    );
    return { backlog: Number(rows[0].backlog), replayed: Number(rows[0].replayed), failed: Number(rows[0].failed) };
  }

  async hasBacklog(agencyCode: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ waiting: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM transactions WHERE agency_code = $1 AND replay_pending AND state = 'manual') AS waiting`,
      [agencyCode],
    );
    return rows[0].waiting;
  }

  async resolveConflict(
    id: string,
    state: TransactionState,
    resolution: NonNullable<ConflictRecord['resolution']>,
    event: NewAuditEvent,
  ): Promise<FallbackTransaction | null> {
    const row = await this.guarded(
      `UPDATE transactions
          SET state = $2, conflict = conflict || jsonb_build_object('resolution', $3::jsonb),
              agency_ref = CASE WHEN $2 = 'completed_manually' THEN COALESCE(manual_outcome->>'agencyRef', agency_ref)
                                ELSE COALESCE(conflict->'agency'->>'agencyRef', agency_ref) END,
              updated_at = now()
        WHERE id = $1 AND state = 'conflict'
        RETURNING ${ALL}`,
      [id, state, JSON.stringify(resolution)],
      [event],
    );
    return row ? toFallback(row) : null;
  }

  async recordNotice(transactionId: string, kind: string, agencyRef: string | null, phoneSealed: Buffer | null): Promise<boolean> {
    const { rows } = await this.pool.query(
      `INSERT INTO citizen_notices (transaction_id, kind, agency_ref, phone_sealed) VALUES ($1, $2, $3, $4)
       ON CONFLICT (transaction_id, kind) DO NOTHING RETURNING transaction_id`,
      [transactionId, kind, agencyRef, phoneSealed],
    );
    return rows.length === 1;
  }
}
