import { isDeepStrictEqual } from 'node:util';
import * as pg from 'pg';
import { AuditLog } from '../../audit/audit-log';
import { StatementTexts } from '../../db/pool';
import { answerJson } from '../../idempotency/domain/idempotent-request';
import type { ChangeGuard, Transaction, TransactionChange, TransactionStep } from '../domain/transaction';
import { transactionEvent } from '../domain/transaction-events';
import type { ApplyOptions } from '../transaction.repository';
import { COLUMNS } from './transaction.row';
import { STEP_TEXT_SHAPES, stepStatement } from './transaction-step.sql';

/**
 * The builder as it was before issue 13's per-shape texts (main at d61e275), kept here only to compare with.
 * A lifecycle step as ONE statement: the guarded UPDATE (CTE `updated`), the citizen notice when
 * asked for, and the audit events chained after it, so that no row means no events. The text
 * depends only on which fields the step sets and guards, so each shape is prepared once.
 */
function oldStepStatement(id: string, step: TransactionStep, options: ApplyOptions, audit: AuditLog): { text: string; values: unknown[] } {
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
    ctes.push(OLD_DUPLICATE_HOLDER_CTE);
    selected.push(OLD_DUPLICATE_OF_SQL);
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
const OLD_DUPLICATE_HOLDER_CTE = `holder AS (SELECT t.id, t.created_at FROM transactions t, updated
   WHERE t.agency_code = updated.agency_code AND t.agency_ref = updated.agency_ref AND t.id <> updated.id)`;
const OLD_DUPLICATE_OF_SQL = '(SELECT id FROM holder ORDER BY created_at, id LIMIT 1) AS duplicate_of';

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

/**
 * stepStatement builds its text once per shape and hands the same string out after (issue 13). For
 * every shape a step can take — each optional field set or not, each guard, a notice (with or
 * without a phone), the duplicate holder, an idempotency answer, 0–2 audit events, the step's time
 * known or not — its text and parameters must be byte for byte what the builder made before, on the
 * first call (built) and on every later one (from the cache), or the stored rows would change.
 */
/**
 * A parameter as PostgreSQL receives it: pg's own text for a list (arrayString) and a time as its
 * instant (pg writes a Date in the process's zone; the builder sends its ISO text: one timestamptz).
 */
/** pg's conversion of a parameter to the text it sends (pg.utils; not in its type declarations). */
const { prepareValue } = (pg as unknown as { utils: { prepareValue(value: unknown): unknown } }).utils;

function asSent(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return prepareValue(value);
  return value;
}

describe('stepStatement, one text per shape', () => {
  const at = new Date('2026-03-03T07:00:00.123Z');
  const id = '6f1c2f8e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
  const CHANGES: Array<[keyof TransactionChange, unknown]> = [
    ['agencyRef', 'NRB-1'],
    ['result', { certificate: 'C-1' }],
    ['lastError', { code: 'timeout', reason: 'slow' }],
    ['nextAttemptAt', new Date('2026-03-03T07:05:00.000Z')],
    ['fallback', 'store-and-forward'],
    ['provisionalRef', 'P-123'],
    ['replayPending', true],
    ['replayFailures', 2],
    ['breakerRefusals', 3],
    ['replayed', true],
    ['parkedReason', { code: 'x', reason: 'y', at: '2026-03-03T07:00:00Z' }],
    ['manualOutcome', { outcome: 'completed', agencyRef: 'M-1', note: null, by: 'officer' }],
    ['conflict', { agency: { agencyRef: 'A-1', outcome: 'completed', at: '2026-03-03T07:00:00Z' } }],
  ];
  const NULLABLE = new Set<keyof TransactionChange>(['lastError', 'nextAttemptAt', 'parkedReason']);
  const GUARDS: Array<[keyof ChangeGuard, unknown]> = [
    ['attempt', 1],
    ['replayPending', false],
    ['agencyCode', 'KRA'],
    ['agencyRef', 'NRB-0'],
  ];
  const answer = (key: string): NonNullable<ApplyOptions['answer']> => ({
    request: { scope: 'channel', key, route: 'POST /v1/transactions', fingerprint: 'h' },
    answer: { status: 200, body: { id, state: 'completed' } },
    transaction: {} as Transaction,
    at: new Date(at.getTime() + 7),
  });
  const events = (count: number, salt: number): TransactionStep['events'] =>
    Array.from({ length: count }, (_, i) => transactionEvent(id, `e${i}`, 'system:test', new Date(at.getTime() + salt + i), { attempt: salt, i }));

  interface Case {
    step: TransactionStep;
    options: ApplyOptions;
  }

  function change(state: 'completed' | 'retrying', fields: number, salt: number): TransactionChange {
    const made: Record<string, unknown> = { state };
    CHANGES.forEach(([field, value], i) => {
      if (!(fields & (1 << i))) return;
      // Values change between passes, texts must not; a nullable field is null on odd salts.
      made[field] = NULLABLE.has(field) && salt % 2 === 1 ? null : typeof value === 'number' ? value + salt : value;
    });
    return made as unknown as TransactionChange;
  }

  function guard(bits: number, manual: 0 | 1 | 2): ChangeGuard {
    const made: Record<string, unknown> = { states: ['received', 'dispatched'] };
    GUARDS.forEach(([field, value], i) => {
      if (bits & (1 << i)) made[field] = value;
    });
    if (manual) made.manualOutcome = manual === 1 ? 'absent' : 'present';
    return made as unknown as ChangeGuard;
  }

  /** Every structural combination, each with no optional field, all of them, and each one alone. */
  function* structural(salt: number): Generator<Case> {
    const fieldSets = [0, (1 << CHANGES.length) - 1, ...CHANGES.map((_, i) => 1 << i)];
    for (const state of ['completed', 'retrying'] as const)
      for (let g = 0; g < 1 << GUARDS.length; g++)
        for (const manual of [0, 1, 2] as const)
          for (const notice of [undefined, 'phone', 'no-phone'] as const)
            for (const duplicate of [false, true])
              for (const withAnswer of [false, true])
                for (const count of [0, 1, 2])
                  for (const fields of fieldSets)
                    yield {
                      step: { guard: guard(g, manual), change: change(state, fields, salt), events: events(count, salt) },
                      options: {
                        notice: notice && { kind: 'completed', phoneSealed: notice === 'phone' ? Buffer.from([salt, 1, 2]) : null, text: `done ${salt}` },
                        findDuplicateReference: duplicate,
                        answer: withAnswer ? answer(`k${salt}`) : undefined,
                      },
                    };
  }

  /** Every subset of the optional fields, with and without the step's time, bare and with every CTE. */
  function* allFields(salt: number): Generator<Case> {
    for (let fields = 0; fields < 1 << CHANGES.length; fields++) {
      yield { step: { guard: guard(0, 0), change: change('retrying', fields, salt), events: [] }, options: {} };
      yield {
        step: { guard: guard(15, 1), change: change('completed', fields, salt), events: events(1, salt) },
        options: { notice: { kind: 'completed', phoneSealed: null, text: 'x' }, findDuplicateReference: true, answer: answer('k') },
      };
    }
  }

  /** Distinct texts the cases make (counted from the old builder's output). */
  const SHAPES = 33_634;

  it('gives the text and parameters the old builder gave, built and then from the cache, for every shape', () => {
    const texts = new StatementTexts(STEP_TEXT_SHAPES);
    const audit = new AuditLog(16);
    const oldAudit = new AuditLog(16);
    const mismatches: string[] = [];
    const shapes = new Set<string>();
    let compared = 0;
    // Salt 0 builds each shape's text, salt 1 (other values, nullable fields null) takes it from the cache.
    for (const salt of [0, 1]) {
      for (const cases of [structural(salt), allFields(salt)]) {
        for (const { step, options } of cases) {
          const made = stepStatement(id, step, options, audit, texts);
          const old = oldStepStatement(id, step, options, oldAudit);
          compared++;
          shapes.add(old.text);
          if (made.text !== old.text || !isDeepStrictEqual(made.values.map(asSent), old.values.map(asSent))) {
            if (mismatches.length < 5) mismatches.push(`${JSON.stringify({ step, options })}\n--- new\n${made.text}\n--- old\n${old.text}`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    // structural(): 2 states × 16 guards × 3 manual-outcome guards × 3 notices × 2 × 2 × 3 event counts × 15 field sets; allFields(): 2 × 2^13.
    expect(compared).toBe(2 * (2 * 16 * 3 * 3 * 2 * 2 * 3 * 15 + 2 * 2 ** 13));
    expect(shapes.size).toBe(SHAPES);
  });

  it('hands out the same string for a shape, whatever its values', () => {
    const texts = new StatementTexts(STEP_TEXT_SHAPES);
    const audit = new AuditLog(16);
    const step = (salt: number): TransactionStep => ({ guard: guard(1, 0), change: change('completed', 0b11, salt), events: events(1, salt) });
    const first = stepStatement(id, step(0), { answer: answer('a') }, audit, texts);
    const second = stepStatement('00000000-0000-4000-8000-000000000000', step(2), { answer: answer('b') }, audit, texts);
    expect(second.text).toBe(first.text);
    expect(second.values).not.toEqual(first.values);
    expect(second.values[0]).toBe('00000000-0000-4000-8000-000000000000');
  });
});
