import type { AuditLog } from '../../audit/audit-log';
import { textArrayParam, timestamptzParam, type StatementTexts } from '../../db/pool';
import { answerJson } from '../../idempotency/domain/idempotent-request';
import type { TransactionStep } from '../domain/transaction';
import type { ApplyOptions } from '../transaction.repository';
import { COLUMNS } from './transaction.row';

/**
 * What a step statement's text depends on, as bits of one number: which fields the step sets and
 * guards, whether its time is known, and which CTEs it holds. `stepShape` reads them (with the
 * values) from a step, `stepText` writes the text from them alone, so the text cannot depend on
 * anything the key leaves out (issue 13: built once per shape, the same string after).
 */
type StepChange = TransactionStep['change'];
/**
 * The fields a step may set, in the statement's order; field i is bit i of the shape. `replayed`
 * is a flag, not a value: replayed_at takes the step's time (or now()).
 */
const SET_FIELDS: ReadonlyArray<{ key: keyof StepChange; column: string; cast?: string; json?: true; timed?: true; time?: true }> = [
  { key: 'agencyRef', column: 'agency_ref' },
  { key: 'result', column: 'result', cast: '::jsonb', json: true },
  { key: 'lastError', column: 'last_error', cast: '::jsonb', json: true },
  { key: 'nextAttemptAt', column: 'next_attempt_at', cast: '::timestamptz', time: true },
  { key: 'fallback', column: 'fallback' },
  { key: 'provisionalRef', column: 'provisional_ref' },
  { key: 'replayPending', column: 'replay_pending' },
  { key: 'replayFailures', column: 'replay_failures', cast: '::integer' },
  { key: 'breakerRefusals', column: 'breaker_refusals', cast: '::integer' },
  { key: 'replayed', column: 'replayed_at', cast: '::timestamptz', timed: true },
  { key: 'parkedReason', column: 'parked_reason', cast: '::jsonb', json: true },
  { key: 'manualOutcome', column: 'manual_outcome', cast: '::jsonb', json: true },
  { key: 'conflict', column: 'conflict', cast: '::jsonb', json: true },
];
/** The step's time is known (its answer's or its first event's): updated_at and replayed_at take it, else now(). */
const AT = 1 << SET_FIELDS.length;
/** The guards that compare a column with a value; guard i is bit GUARD_FIRST + i of the shape. */
const GUARD_FIRST = SET_FIELDS.length + 1;
const GUARD_FIELDS: ReadonlyArray<{ key: 'attempt' | 'replayPending' | 'agencyCode' | 'agencyRef'; column: string; cast?: string }> = [
  { key: 'attempt', column: 'attempts', cast: '::integer' },
  { key: 'replayPending', column: 'replay_pending' },
  { key: 'agencyCode', column: 'agency_code' },
  { key: 'agencyRef', column: 'agency_ref' },
];
/** The bits after the tables': derived from their lengths, so that a field added to either moves them. */
const FLAGS_FIRST = GUARD_FIRST + GUARD_FIELDS.length;
const GUARD_MANUAL_ABSENT = 1 << FLAGS_FIRST;
const GUARD_MANUAL_PRESENT = 1 << (FLAGS_FIRST + 1);
const NOTICE = 1 << (FLAGS_FIRST + 2);
const DUPLICATE = 1 << (FLAGS_FIRST + 3);
const ANSWER = 1 << (FLAGS_FIRST + 4);
/** The step has events: the audit chain's CTEs follow (their own text is AuditLog's, one string per shape of events). */
const EVENTS = 1 << (FLAGS_FIRST + 5);

/** The step statement's texts are kept for at most this many shapes of events per shape (see StatementTexts). */
export const STEP_TEXT_SHAPES = 8;

const json = (value: unknown): unknown => (value === null ? null : JSON.stringify(value));

/**
 * A lifecycle step as ONE statement: the guarded UPDATE (CTE `updated`), the citizen notice when
 * asked for, and the audit events chained after it, so that no row means no events. The text
 * depends only on the step's shape (stepShape), so it is built once per shape and then handed out
 * as the same string from `texts` (the record statement's mechanism): prepared once per
 * connection, its name found without hashing a fresh text.
 */
export function stepStatement(
  id: string,
  step: TransactionStep,
  options: ApplyOptions,
  audit: AuditLog,
  texts: StatementTexts,
): { text: string; values: unknown[] } {
  const values: unknown[] = [id];
  const shape = stepShape(step, options, values);
  let chain = '';
  if (shape & EVENTS) chain = audit.appendChainCtes(step.events, 'updated', values);
  return { text: texts.text(shape, chain, () => stepText(shape, chain)), values };
}

/** The step's shape; its values pushed onto `values` (after the id, $1) in the order stepText numbers them. */
function stepShape(step: TransactionStep, options: ApplyOptions, values: unknown[]): number {
  const { change, guard } = step;
  const answer = options.answer;
  // The step's time on the app's clock (its answer's, else its events'), so that updated_at and
  // replayed_at are compared with the same clock that reads them (replay progress, retention).
  const at = answer?.at ?? step.events[0]?.occurredAt;
  let shape = at ? AT : 0;
  // Times go as their ISO text and the guard's states as their array text (core/db): what pg would
  // write for them, in fewer bytes built per step (issue 13). Loops, not forEach: no closure per step.
  const atText = timestamptzParam(at);
  values.push(change.state);
  for (let i = 0; i < SET_FIELDS.length; i++) {
    const field = SET_FIELDS[i];
    const value = change[field.key];
    if (field.timed ? !value : value === undefined) continue;
    shape |= 1 << i;
    if (field.timed) {
      if (at) values.push(atText);
    } else values.push(field.json ? json(value) : field.time ? timestamptzParam(value as Date | null) : value);
  }
  if (at) values.push(atText);
  values.push(textArrayParam(guard.states));
  for (let i = 0; i < GUARD_FIELDS.length; i++) {
    const field = GUARD_FIELDS[i];
    const value = guard[field.key];
    if (value === undefined) continue;
    shape |= 1 << (GUARD_FIRST + i);
    values.push(value);
  }
  if (guard.manualOutcome === 'absent') shape |= GUARD_MANUAL_ABSENT;
  if (guard.manualOutcome === 'present') shape |= GUARD_MANUAL_PRESENT;
  const completes = change.state === 'completed';
  const notice = completes ? options.notice : undefined;
  if (notice) {
    shape |= NOTICE;
    values.push(notice.kind, notice.phoneSealed, notice.text, notice.phoneSealed ? 'pending' : 'no-phone');
  }
  if (options.findDuplicateReference && completes) shape |= DUPLICATE;
  if (answer) {
    shape |= ANSWER;
    values.push(answer.answer.status, answerJson(answer.answer.body), answer.request.scope, answer.request.key);
  }
  if (step.events.length > 0) shape |= EVENTS;
  return shape;
}

/** The statement's text for a shape (and the audit chain's CTEs, '' without events): its only inputs. */
function stepText(shape: number, chain: string): string {
  let n = 1;
  const param = (cast = ''): string => `$${++n}${cast}`;
  const has = (bit: number): boolean => (shape & bit) !== 0;
  const at = has(AT);
  const set = [`state = ${param()}`];
  SET_FIELDS.forEach((field, i) => {
    if (has(1 << i)) set.push(field.timed && !at ? `${field.column} = now()` : `${field.column} = ${param(field.cast)}`);
  });
  set.push(at ? `updated_at = ${param('::timestamptz')}` : 'updated_at = now()');
  const where = ['id = $1', `state = ANY(${param('::text[]')})`];
  GUARD_FIELDS.forEach((field, i) => {
    if (has(1 << (GUARD_FIRST + i))) where.push(`${field.column} = ${param(field.cast)}`);
  });
  if (has(GUARD_MANUAL_ABSENT)) where.push('manual_outcome IS NULL');
  if (has(GUARD_MANUAL_PRESENT)) where.push('manual_outcome IS NOT NULL');
  const answer = has(ANSWER);
  const duplicate = has(DUPLICATE);
  // With an answer, the caller knows the row as the step leaves it: only what the statement's own checks read comes back.
  const update = `UPDATE transactions SET ${set.join(', ')}
        WHERE ${where.join(' AND ')}
        RETURNING ${answer ? 'id, agency_code, agency_ref, state' : COLUMNS}`;
  if (!has(EVENTS) && !has(NOTICE) && !duplicate && !answer) return update;

  const ctes = [`updated AS (${update})`];
  const selected = ['updated.*'];
  if (has(NOTICE)) {
    // Recorded with the completion itself: recorded after it, a crash in between would lose it.
    ctes.push(`notice AS (
         INSERT INTO citizen_notices (transaction_id, kind, agency_ref, phone_sealed, body, status)
         SELECT id, ${param('::text')}, agency_ref, ${param('::bytea')}, ${param('::text')},
                ${param('::text')}
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
         UPDATE idempotency_keys SET status = ${param('::integer')}, body = ${param('::jsonb')}
          WHERE scope = ${param('::text')} AND key = ${param('::text')} AND status IS NULL
            AND EXISTS (SELECT 1 FROM updated)${duplicate ? ' AND NOT EXISTS (SELECT 1 FROM holder)' : ''}
          RETURNING 1)`);
    selected.push('EXISTS (SELECT 1 FROM answer) AS answered');
  }
  if (has(EVENTS)) ctes.push(chain);
  return `WITH ${ctes.join(',\n')}\nSELECT ${selected.join(', ')} FROM updated`;
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
