import { DEFAULT_REPLAY, type FallbackPolicy, type RetryPolicy } from '../../../contracts/src/catalogue.types';
import type { AgencyOutcome } from '../../../contracts/src/dispatch';
import type { NewAuditEvent } from '../../audit/audit-event';
import { retryDelayMs } from '../../retry-queue/backoff';
import {
  canTransition,
  statesLeadingTo,
  type ChangeGuard,
  type Transaction,
  type TransactionChange,
  type TransactionError,
  type TransactionStep,
} from './transaction';
import { provisionalReference } from './provisional-reference';
import { SYSTEM_ACTORS, transactionEvent } from './transaction-events';

/**
 * How long a handed-over request (file drop) waits for the agency's answer when its adapter names
 * no timeout; past it, the attempt counts as timed out and goes the retry/manual path.
 */
export const DEFAULT_ANSWER_TIMEOUT_MS = 15 * 60_000;

/** How an agency's outcome reached the transaction. */
export type Arrival =
  /** An attempt we made: the inline try at submit, or a retry. */
  | { via: 'attempt'; actor: string; sentAt: Date; inline: boolean }
  /** A handed-over request whose answer never came (file drop): the attempt timed out. */
  | { via: 'no-answer' }
  /** A stored (store-and-forward) transaction sent from its agency's backlog. */
  | { via: 'replay'; sentAt: Date }
  /** An answer that arrived apart from any call (a file in the agency's inbox); `source` names it. */
  | { via: 'inbox'; source: string };

/** What the caller does once the step is written. */
export type FollowUp =
  | { kind: 'none' }
  /** Schedule the next attempt (the row already says when it is due). */
  | { kind: 'retry'; inMs: number }
  /** The agency failed transiently during replay: the transaction keeps its place; the replayer backs off. */
  | { kind: 'defer-replay'; retryAfterMs?: number }
  /** A stored transaction completed on replay: the citizen is told (the notice is recorded with the step). */
  | { kind: 'notify-citizen' };

export interface OutcomeStep extends TransactionStep {
  then: FollowUp;
}

export interface OutcomeRules {
  now: Date;
  /** The service's retry policy (absent: the service left the catalogue; the stored attempt limit holds). */
  retry?: RetryPolicy;
  random?: () => number;
  /** The service's fallback policy: a store-and-forward transaction whose attempts run out joins the backlog. */
  fallback?: FallbackPolicy;
  /** Draws a provisional reference for a transaction that joins the backlog without one. */
  drawReference?: (agencyCode: string) => string;
  /** After a failed replay: whether the agency's health check still passed (the failure is the transaction's, not an outage). */
  agencyHealthy?: boolean;
  /** The agency's `replay.maxFailures`. */
  maxReplayFailures?: number;
}

/** The code of a transaction parked because its replays kept failing while its agency was up. */
export const REPLAY_FAILED = 'replay_failed';

/**
 * A refusal by our own circuit breaker: the agency was not called, so the refusal is not the
 * transaction's attempt (it does not count against `maxAttempts`, nor as a failed replay).
 */
export function refusedByOurBreaker(outcome: AgencyOutcome): boolean {
  return outcome.kind === 'transient' && outcome.code === 'breaker_open';
}

/**
 * Whether the outcome went without a request sent: a refusal of our own (AgencyOutcome's `notSent`,
 * which our breaker's refusals carry too). Its event has no `sentAt`.
 */
export function nothingSent(outcome: AgencyOutcome): boolean {
  return outcome.kind === 'transient' && outcome.notSent === true;
}

/**
 * Load shedding never counts as a failed replay: ours (breaker, bulkhead, rate limit: nothing sent)
 * nor the agency's own 429 (`rate_limited` with a request sent). An agency that asks us to slow down
 * says nothing about the transaction, and counting it would park a whole backlog replayed too fast.
 */
const LOAD_SHEDDING: ReadonlySet<string> = new Set(['breaker_open', 'bulkhead_full', 'rate_limited']);

/** Transient codes that no retry will cure: the request or our mapping is wrong. A human looks. */
const NEEDS_A_HUMAN: ReadonlySet<string> = new Set(['misconfigured', 'bad_response']);

/** A replay outcome a person must look at before anything is sent again: it is parked. */
export function needsAHuman(outcome: AgencyOutcome): boolean {
  if (outcome.kind === 'transient') return NEEDS_A_HUMAN.has(outcome.code);
  return outcome.kind === 'rejected' && outcome.grounds === 'malformed-request';
}

/**
 * The one place that turns an agency's outcome into the transaction's next state, whichever way
 * it arrived (DESIGN.md "The transaction"): the change, the guard it is written under, its audit
 * events, and what to do next. Null when the outcome no longer applies (an answer for a
 * transaction that has already finished changes nothing).
 */
export function nextState(tx: Transaction, outcome: AgencyOutcome, arrival: Arrival, rules: OutcomeRules): OutcomeStep | null {
  switch (arrival.via) {
    case 'attempt':
    case 'no-answer':
      return afterAttempt(tx, outcome, arrival, rules);
    case 'replay':
      return afterReplay(tx, outcome, arrival, rules);
    case 'inbox':
      return afterAnswer(tx, outcome, arrival, rules.now);
  }
}

function afterAttempt(
  tx: Transaction,
  outcome: AgencyOutcome,
  arrival: Extract<Arrival, { via: 'attempt' | 'no-answer' }>,
  rules: OutcomeRules,
): OutcomeStep {
  const { now, retry = { maxAttempts: tx.maxAttempts, baseDelayMs: 1000, maxDelayMs: 300_000 }, random = Math.random } = rules;
  const attempt = tx.attempts;
  const actor = arrival.via === 'attempt' ? arrival.actor : SYSTEM_ACTORS.worker;
  // The request sent and the outcome it met are one change, in one statement: the outcome's event
  // says when it was sent and whether inline (sentAtOf). A refusal of our own (breaker, rate limiter,
  // bulkhead, configuration) sent nothing, and a missing answer sends nothing now: no `sentAt` then.
  const sent = arrival.via === 'attempt' && !nothingSent(outcome) ? { sentAt: arrival.sentAt.toISOString(), inline: arrival.inline } : null;
  const event = (type: string, data: Record<string, unknown>) => transactionEvent(tx.id, type, actor, now, eventData(data, attempt, sent));
  const step = (change: TransactionChange, data: Record<string, unknown>, then: FollowUp = { kind: 'none' }): OutcomeStep => ({
    guard: { states: statesLeadingTo(change.state), attempt },
    change,
    events: [event(change.state, data)],
    then,
  });
  switch (outcome.kind) {
    case 'accepted':
      return step(completed(outcome), { agencyRef: outcome.agencyRef });
    case 'rejected':
      return step({ state: 'rejected', lastError: errorOf(outcome), nextAttemptAt: null }, errorOf(outcome));
    case 'pending':
      // Handed over, the answer to come later: the hand-over is the change, its event `dispatched`.
      // Past the due time without an answer, the sweeper counts the attempt as timed out.
      return step({ state: 'dispatched', lastError: null, nextAttemptAt: answerDue(outcome, now) }, {});
    case 'transient': {
      // `attempts` counts claims (retry job ids stay unique); refusals of our breaker are not attempts.
      const refused = refusedByOurBreaker(outcome);
      const refusals = tx.breakerRefusals + (refused ? 1 : 0);
      const counted = attempt - refusals;
      if (!refused && counted >= tx.maxAttempts) {
        const error = { code: 'attempts_exhausted', reason: `${counted} attempts failed; last: ${outcome.reason}` };
        if (rules.fallback === 'store-and-forward') return joinBacklog(tx, error, step(exhaustedIntoBacklog(tx, error, rules), error), actor, now);
        return step({ state: 'manual', lastError: error, nextAttemptAt: null }, error);
      }
      const retryInMs = Math.max(retryDelayMs(Math.max(1, counted), retry, random), outcome.retryAfterMs ?? 0);
      const change: TransactionChange = { state: 'retrying', lastError: errorOf(outcome), nextAttemptAt: new Date(now.getTime() + retryInMs) };
      if (refused) change.breakerRefusals = refusals;
      // Written out, not `{ ...errorOf(outcome), retryInMs }`: a spread then new fields cost V8 a new hidden class per call (issue 13).
      const data: Record<string, unknown> = refused
        ? { code: outcome.code, reason: outcome.reason, retryInMs, counted: false }
        : { code: outcome.code, reason: outcome.reason, retryInMs };
      return step(change, data, { kind: 'retry', inMs: retryInMs });
    }
  }
}

/** A store-and-forward transaction whose attempts ran out waits in the backlog, with a reference the citizen can quote. */
function exhaustedIntoBacklog(tx: Transaction, error: TransactionError, rules: OutcomeRules): TransactionChange {
  const draw = rules.drawReference ?? provisionalReference;
  return {
    state: 'manual',
    lastError: error,
    nextAttemptAt: null,
    fallback: 'store-and-forward',
    replayPending: true,
    replayFailures: 0,
    parkedReason: null,
    ...(tx.provisionalRef ? {} : { provisionalRef: draw(tx.agencyCode) }),
  };
}

function joinBacklog(tx: Transaction, error: TransactionError, step: OutcomeStep, actor: string, now: Date): OutcomeStep {
  const provisionalRef = step.change.provisionalRef ?? tx.provisionalRef;
  return { ...step, events: [...step.events, transactionEvent(tx.id, 'replay_requested', actor, now, { reason: error.code, provisionalRef })] };
}

/**
 * The same step with another provisional reference (the drawn one was taken: the database's
 * unique index said so), in the change and in the events that name it.
 */
export function withProvisionalRef<S extends TransactionStep>(step: S, provisionalRef: string): S {
  if (step.change.provisionalRef === undefined) return step;
  const events = step.events.map((event) => ('provisionalRef' in event.data ? { ...event, data: { ...event.data, provisionalRef } } : event));
  return { ...step, change: { ...step.change, provisionalRef }, events };
}

/**
 * A replay answers for a stored transaction: it leaves the backlog unless the agency merely
 * failed (an outage is not the transaction's fault: it keeps its place, with no audit noise per
 * try), and it is parked when the agency could not read it or our mapping is wrong. A failure
 * while the agency's health check passes is the transaction's own: after `maxReplayFailures` of
 * them it is parked with its reason, so one poisonous request cannot hold up the backlog behind it.
 */
function afterReplay(tx: Transaction, outcome: AgencyOutcome, arrival: Extract<Arrival, { via: 'replay' }>, rules: OutcomeRules): OutcomeStep {
  const { now } = rules;
  const attempt = tx.attempts;
  const guard: ChangeGuard = { states: ['manual'], attempt, replayPending: true };
  // Each event below says when its replay was sent (sentAtOf), unless nothing was (a refusal of our own
  // configuration is parked; our shedding writes no event).
  const sentAt = nothingSent(outcome) ? undefined : arrival.sentAt.toISOString();
  const event = (type: string, data: Record<string, unknown> = {}) =>
    transactionEvent(tx.id, type, SYSTEM_ACTORS.replay, now, sentAt === undefined ? { attempt, replay: true, ...data } : { attempt, replay: true, sentAt, ...data });
  const left = { replayPending: false, replayed: true, parkedReason: null, replayFailures: 0 } as const;
  const step = (change: TransactionChange, events: NewAuditEvent[], then: FollowUp = { kind: 'none' }): OutcomeStep => ({ guard, change, events, then });

  if (needsAHuman(outcome) && (outcome.kind === 'transient' || outcome.kind === 'rejected')) {
    const parkedReason = { ...errorOf(outcome), at: now.toISOString() };
    return step({ state: 'parked', lastError: errorOf(outcome), nextAttemptAt: null, ...left, parkedReason }, [event('parked', errorOf(outcome))]);
  }
  switch (outcome.kind) {
    case 'transient': {
      const defer: FollowUp = { kind: 'defer-replay', retryAfterMs: outcome.retryAfterMs };
      const counts = rules.agencyHealthy === true && !LOAD_SHEDDING.has(outcome.code);
      if (!counts) return step({ state: 'manual', replayPending: true, lastError: errorOf(outcome), nextAttemptAt: null, parkedReason: null }, [], defer);
      const failures = tx.replayFailures + 1;
      const limit = rules.maxReplayFailures ?? DEFAULT_REPLAY.maxFailures;
      if (failures >= limit) {
        const error = { code: REPLAY_FAILED, reason: `${failures} replays failed while the agency was up; last: ${outcome.code}: ${outcome.reason}` };
        const parkedReason = { ...error, at: now.toISOString() };
        return step({ state: 'parked', lastError: errorOf(outcome), nextAttemptAt: null, ...left, parkedReason }, [event('parked', { ...error, failures })]);
      }
      const failed = event('replay_failed', { ...errorOf(outcome), failures });
      return step({ state: 'manual', replayPending: true, lastError: errorOf(outcome), nextAttemptAt: null, parkedReason: null, replayFailures: failures }, [failed], defer);
    }
    case 'accepted':
      return step({ ...completed(outcome), ...left }, [event('completed', { agencyRef: outcome.agencyRef })], { kind: 'notify-citizen' });
    case 'rejected':
      return step({ state: 'rejected', lastError: errorOf(outcome), nextAttemptAt: null, ...left }, [event('rejected', errorOf(outcome))]);
    case 'pending':
      return step({ state: 'dispatched', lastError: null, nextAttemptAt: answerDue(outcome, now), ...left }, [event('dispatched')]);
  }
}

/**
 * An answer read from an agency's inbox completes or rejects the transaction it names in any
 * unfinished state, not only `dispatched`: it can overtake the recording of its own hand-over, or
 * arrive after the wait for it timed out (`retrying`, `manual`); either way it is the agency's
 * word on the application. A finished transaction (a second copy of one answer) is left as it is.
 */
function afterAnswer(tx: Transaction, outcome: AgencyOutcome, arrival: Extract<Arrival, { via: 'inbox' }>, now: Date): OutcomeStep | null {
  if (outcome.kind !== 'accepted' && outcome.kind !== 'rejected') return null;
  const change: TransactionChange =
    outcome.kind === 'accepted' ? completed(outcome) : { state: 'rejected', lastError: errorOf(outcome), nextAttemptAt: null };
  if (!canTransition(tx.state, change.state)) return null;
  if (tx.replayPending) change.replayPending = false;
  const data = outcome.kind === 'accepted' ? { agencyRef: outcome.agencyRef } : errorOf(outcome);
  return {
    guard: { states: statesLeadingTo(change.state), agencyCode: tx.agencyCode },
    change,
    events: [transactionEvent(tx.id, change.state, SYSTEM_ACTORS.fileDrop, now, { ...data, via: 'file-drop', source: arrival.source })],
    then: { kind: 'none' },
  };
}

function completed(outcome: Extract<AgencyOutcome, { kind: 'accepted' }>): TransactionChange {
  return {
    state: 'completed',
    agencyRef: outcome.agencyRef,
    ...(outcome.result ? { result: outcome.result } : {}),
    lastError: null,
    nextAttemptAt: null,
  };
}

/**
 * An attempt's event data: the outcome's own facts first, then attempt, inline and sentAt (which no
 * outcome names): for a completion ({ agencyRef }) the keys are then in canonical order, which
 * canonicalJson writes in one call (issue 13). Set one by one on a new object, not spread: a spread
 * followed by new keys gave V8 a new hidden class per call, made in the old generation.
 */
function eventData(data: Record<string, unknown>, attempt: number, sent: { sentAt: string; inline: boolean } | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in data) if (Object.hasOwn(data, key)) out[key] = data[key];
  out.attempt = attempt;
  if (sent) {
    out.inline = sent.inline;
    out.sentAt = sent.sentAt;
  }
  return out;
}

function errorOf(outcome: { code: string; reason: string }): TransactionError & Record<string, unknown> {
  return { code: outcome.code, reason: outcome.reason };
}

function answerDue(outcome: Extract<AgencyOutcome, { kind: 'pending' }>, now: Date): Date {
  return new Date(now.getTime() + (outcome.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS));
}
