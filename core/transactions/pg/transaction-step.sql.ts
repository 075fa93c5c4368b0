import type { AuditLog } from '../../audit/audit-log';
import { answerJson } from '../../idempotency/domain/idempotent-request';
import type { ChangeGuard, TransactionChange, TransactionStep } from '../domain/transaction';
import type { ApplyOptions } from '../transaction.repository';
import { COLUMNS } from './transaction.row';

/**
 * A lifecycle step as ONE statement: the guarded UPDATE (CTE `updated`), the citizen notice when
 * asked for, and the audit events chained after it, so that no row means no events. The text
 * depends only on which fields the step sets and guards, so each shape is prepared once.
 */
export function stepStatement(id: string, step: TransactionStep, options: ApplyOptions, audit: AuditLog): { text: string; values: unknown[] } {
  const values: unknown[] = [id];
  const param = (value: unknown, cast = ''): string => {
    values.push(value);
    return `$${values.length}${cast}`;
  };
  const answer = options.answer;
  // The step's time on the app's clock (its answer's, else its events'), so that updated_at and
  // replayed_at are compared with the same clock that reads them (replay progress, retention).
  const at = answer?.at ?? step.events[0]?.occurredAt;
  // With an answer, the caller knows the row as the step leaves it: only what the statement's own checks read comes back.
  const update = `UPDATE transactions SET ${setClauses(step.change, param, at).join(', ')}
        WHERE ${whereClauses(step.guard, param).join(' AND ')}
        RETURNING ${answer ? 'id, agency_code, agency_ref, state' : COLUMNS}`;
  const completes = step.change.state === 'completed';
  const notice = options.notice && completes ? options.notice : undefined;
  const duplicate = options.findDuplicateReference && completes;
  if (step.events.length === 0 && !notice && !duplicate && !answer) return { text: update, values };

  const ctes = [`updated AS (${update})`];
  const selected = ['updated.*'];
  if (notice) {
    // Recorded with the completion itself: recorded after it, a crash in between would lose it.
    ctes.push(`notice AS (
         INSERT INTO citizen_notices (transaction_id, kind, agency_ref, phone_sealed, body, status)
         SELECT id, ${param(notice.kind, '::text')}, agency_ref, ${param(notice.phoneSealed, '::bytea')}, ${param(notice.text, '::text')},
                ${param(notice.phoneSealed ? 'pending' : 'no-phone', '::text')}
           FROM updated WHERE state = 'completed'
         ON CONFLICT (transaction_id, kind) WHERE transaction_id IS NOT NULL DO NOTHING RETURNING transaction_id)`);
    selected.push('EXISTS (SELECT 1 FROM notice) AS notice_recorded');
  }
  if (duplicate) {
    ctes.push(DUPLICATE_HOLDER_CTE);
    selected.push(DUPLICATE_OF_SQL);
  }
  if (answer) {
    // The idempotency answer (core/idempotency), unless a duplicate reference is about to make this a conflict.
    ctes.push(`answer AS (
         UPDATE idempotency_keys SET status = ${param(answer.answer.status, '::integer')}, body = ${param(answerJson(answer.answer.body), '::jsonb')}
          WHERE scope = ${param(answer.request.scope, '::text')} AND key = ${param(answer.request.key, '::text')} AND status IS NULL
            AND EXISTS (SELECT 1 FROM updated)${duplicate ? ' AND NOT EXISTS (SELECT 1 FROM holder)' : ''}
          RETURNING 1)`);
    selected.push('EXISTS (SELECT 1 FROM answer) AS answered');
  }
  if (step.events.length > 0) {
    const chain = audit.chainCtes(step.events, values.length + 1, 'updated');
    values.push(...chain.params);
    ctes.push(chain.ctes);
  }
  return { text: `WITH ${ctes.join(',\n')}\nSELECT ${selected.join(', ')} FROM updated`, values };
}

/**
 * The other transactions holding the same agency reference, read once inside the completing
 * statement (one probe of an agency_ref index) for both the idempotency answer's guard and
 * `duplicate_of`: the conflict is written only in the rare case it names someone. No ORDER BY …
 * LIMIT on the table itself: with one, a generic plan made while the table is small walks
 * transactions_audit_agency in (created_at, id) order filtering on agency_ref — every row of the
 * agency, on every completion, for as long as the connection keeps the plan.
 */
const DUPLICATE_HOLDER_CTE = `holder AS (SELECT t.id, t.created_at FROM transactions t, updated
   WHERE t.agency_code = updated.agency_code AND t.agency_ref = updated.agency_ref AND t.id <> updated.id)`;
const DUPLICATE_OF_SQL = '(SELECT id FROM holder ORDER BY created_at, id LIMIT 1) AS duplicate_of';

type Param = (value: unknown, cast?: string) => string;

function setClauses(change: TransactionChange, param: Param, at?: Date): string[] {
  const json = (value: unknown): string => param(value === null ? null : JSON.stringify(value), '::jsonb');
  const set = [`state = ${param(change.state)}`];
  if (change.agencyRef !== undefined) set.push(`agency_ref = ${param(change.agencyRef)}`);
  if (change.result !== undefined) set.push(`result = ${json(change.result)}`);
  if (change.lastError !== undefined) set.push(`last_error = ${json(change.lastError)}`);
  if (change.nextAttemptAt !== undefined) set.push(`next_attempt_at = ${param(change.nextAttemptAt, '::timestamptz')}`);
  if (change.fallback !== undefined) set.push(`fallback = ${param(change.fallback)}`);
  if (change.provisionalRef !== undefined) set.push(`provisional_ref = ${param(change.provisionalRef)}`);
  if (change.replayPending !== undefined) set.push(`replay_pending = ${param(change.replayPending)}`);
  if (change.replayFailures !== undefined) set.push(`replay_failures = ${param(change.replayFailures, '::integer')}`);
  if (change.breakerRefusals !== undefined) set.push(`breaker_refusals = ${param(change.breakerRefusals, '::integer')}`);
  if (change.replayed) set.push(at ? `replayed_at = ${param(at, '::timestamptz')}` : 'replayed_at = now()');
  if (change.parkedReason !== undefined) set.push(`parked_reason = ${json(change.parkedReason)}`);
  if (change.manualOutcome !== undefined) set.push(`manual_outcome = ${json(change.manualOutcome)}`);
  if (change.conflict !== undefined) set.push(`conflict = ${json(change.conflict)}`);
  set.push(at ? `updated_at = ${param(at, '::timestamptz')}` : 'updated_at = now()');
  return set;
}

function whereClauses(guard: ChangeGuard, param: Param): string[] {
  const where = ['id = $1', `state = ANY(${param(guard.states, '::text[]')})`];
  if (guard.attempt !== undefined) where.push(`attempts = ${param(guard.attempt, '::integer')}`);
  if (guard.replayPending !== undefined) where.push(`replay_pending = ${param(guard.replayPending)}`);
  if (guard.agencyCode !== undefined) where.push(`agency_code = ${param(guard.agencyCode)}`);
  if (guard.agencyRef !== undefined) where.push(`agency_ref = ${param(guard.agencyRef)}`);
  if (guard.manualOutcome === 'absent') where.push('manual_outcome IS NULL');
  if (guard.manualOutcome === 'present') where.push('manual_outcome IS NOT NULL');
  return where;
}
