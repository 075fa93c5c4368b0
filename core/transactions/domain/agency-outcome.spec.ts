import type { AgencyOutcome } from '../../../contracts/src/dispatch';
import { DEFAULT_ANSWER_TIMEOUT_MS, needsAHuman, nextState, withProvisionalRef, type Arrival, type OutcomeRules } from './agency-outcome';
import { storedTransaction } from '../../../test/factories/transaction-records';
import type { Transaction } from './transaction';

const NOW = new Date('2026-03-02T08:00:00.000Z');
const SENT = new Date('2026-03-02T07:59:59.000Z');
const RETRY = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 };

function transaction(overrides: Partial<Transaction> = {}): Transaction {
  return storedTransaction({ id: '0e4ac851-346e-4ebf-91cb-1d27eccdf9cf', nextAttemptAt: null, ...overrides }, NOW);
}

const accepted: AgencyOutcome = { kind: 'accepted', agencyRef: 'NRB-000001', result: { reference: 'NRB-000001' } };
const onMerits: AgencyOutcome = { kind: 'rejected', code: 'ID_NOT_FOUND', reason: 'no such person' };
const malformed: AgencyOutcome = { kind: 'rejected', code: 'HTTP_404', reason: 'no such route', grounds: 'malformed-request' };
const outage: AgencyOutcome = { kind: 'transient', code: 'unavailable', reason: 'HTTP 503', retryAfterMs: 2500 };
const mapping: AgencyOutcome = { kind: 'transient', code: 'misconfigured', reason: 'HTTP 400' };
const handedOver: AgencyOutcome = { kind: 'pending', handedOverAt: SENT.toISOString(), answerTimeoutMs: 60_000 };

const inline: Arrival = { via: 'attempt', actor: 'officer-1', sentAt: SENT, inline: true };
const replay: Arrival = { via: 'replay', sentAt: SENT };
const inbox: Arrival = { via: 'inbox', source: 'answer-1.json' };
const stored = transaction({ state: 'manual', attempts: 4, fallback: 'store-and-forward', provisionalRef: 'NRB-7K4Q-2P', replayPending: true });

const decide = (tx: Transaction, outcome: AgencyOutcome, arrival: Arrival, rules: Partial<OutcomeRules> = {}) =>
  nextState(tx, outcome, arrival, { now: NOW, retry: RETRY, random: () => 0.5, ...rules });
// As ResilientAgency's breaker refuses: nothing sent.
const refused: AgencyOutcome = { kind: 'transient', code: 'breaker_open', reason: 'circuit open', retryAfterMs: 1600, notSent: true };
const retryArrival: Arrival = { via: 'attempt', actor: 'system:worker', sentAt: SENT, inline: false };

describe('nextState: one path from an agency outcome to the next state', () => {
  describe('after an attempt (inline or retry)', () => {
    it.each([
      ['accepted', accepted, 'completed'],
      ['rejected on the merits', onMerits, 'rejected'],
      ['rejected as malformed', malformed, 'rejected'],
      ['handed over', handedOver, 'dispatched'],
      ['an outage', outage, 'retrying'],
    ] as const)('%s → %s, guarded on the attempt', (_, outcome, state) => {
      const step = decide(transaction(), outcome, inline)!;
      expect(step.change.state).toBe(state);
      expect(step.guard).toMatchObject({ attempt: 1 });
      expect(step.guard.states).toContain('received');
      // One event, the outcome's, says when the request was sent (issue 13: no `dispatched` event beside it).
      expect(step.events).toEqual([{ entityType: 'transaction', entityId: expect.any(String), type: state, actor: 'officer-1', occurredAt: NOW, data: expect.any(Object) }]);
      expect(step.events[0].data).toMatchObject({ attempt: 1, sentAt: SENT.toISOString(), inline: true });
    });

    it('guards with one frozen list of states per state, the same list every time (its parameter text is written once)', () => {
      const states = decide(transaction(), accepted, inline)!.guard.states;
      expect(Object.isFrozen(states)).toBe(true);
      expect(decide(transaction({ state: 'retrying', attempts: 2 }), accepted, retryArrival)!.guard.states).toBe(states);
    });

    it("writes a completion's event data with its keys in canonical order, which canonicalJson writes in one call", () => {
      for (const arrival of [inline, retryArrival]) {
        const keys = Object.keys(decide(transaction(), accepted, arrival)!.events[0].data);
        expect(keys).toEqual([...keys].sort());
      }
    });

    it('keeps the reference and result of an acceptance and records the completion with the attempt', () => {
      const step = decide(transaction(), accepted, inline)!;
      expect(step.change).toEqual({ state: 'completed', agencyRef: 'NRB-000001', result: { reference: 'NRB-000001' }, lastError: null, nextAttemptAt: null });
      expect(step.events.map((e) => [e.type, e.data])).toEqual([['completed', { attempt: 1, sentAt: SENT.toISOString(), inline: true, agencyRef: 'NRB-000001' }]]);
      // A retry's outcome says so (inline: false), sent by the worker.
      expect(decide(transaction({ state: 'retrying', attempts: 2 }), accepted, retryArrival)!.events.map((e) => [e.type, e.actor, e.data])).toEqual([
        ['completed', 'system:worker', { attempt: 2, sentAt: SENT.toISOString(), inline: false, agencyRef: 'NRB-000001' }],
      ]);
      expect(step.then).toEqual({ kind: 'none' });
    });

    it('retries no sooner than the agency asks, and schedules the retry', () => {
      const step = decide(transaction(), outage, inline)!;
      // Full jitter at 0.5 of min(60 s, 1 s · 2^0) is 500 ms; the agency asked for 2.5 s.
      expect(step.then).toEqual({ kind: 'retry', inMs: 2500 });
      expect(step.change.nextAttemptAt).toEqual(new Date(NOW.getTime() + 2500));
      expect(step.events).toEqual([expect.objectContaining({ type: 'retrying', data: { attempt: 1, sentAt: SENT.toISOString(), inline: true, code: 'unavailable', reason: 'HTTP 503', retryInMs: 2500 } })]);
    });

    it('goes to manual on the last attempt, and not one attempt sooner', () => {
      expect(decide(transaction({ attempts: 2 }), outage, inline)!.change.state).toBe('retrying');
      const last = decide(transaction({ attempts: 3 }), outage, inline)!;
      expect(last.change).toMatchObject({ state: 'manual', lastError: { code: 'attempts_exhausted' }, nextAttemptAt: null });
      expect(last.then).toEqual({ kind: 'none' });
    });

    it('waits for a handed-over answer until the adapter’s timeout, writing only the hand-over', () => {
      const step = decide(transaction(), handedOver, inline)!;
      expect(step.change.nextAttemptAt).toEqual(new Date(NOW.getTime() + 60_000));
      // The hand-over is the change here: its `dispatched` event is the outcome's, with when it was sent.
      expect(step.events.map((e) => [e.type, e.occurredAt, e.data])).toEqual([['dispatched', NOW, { attempt: 1, sentAt: SENT.toISOString(), inline: true }]]);
      const noTimeout = decide(transaction(), { kind: 'pending', handedOverAt: SENT.toISOString() }, inline)!;
      expect(noTimeout.change.nextAttemptAt).toEqual(new Date(NOW.getTime() + DEFAULT_ANSWER_TIMEOUT_MS));
    });

    it('counts a missing answer as a timed-out attempt of the worker, without a new hand-over event', () => {
      const step = decide(transaction({ state: 'dispatched', attempts: 2 }), { kind: 'transient', code: 'timeout', reason: 'no answer' }, { via: 'no-answer' })!;
      expect(step.change.state).toBe('retrying');
      expect(step.events.map((e) => [e.type, e.actor])).toEqual([['retrying', 'system:worker']]);
      expect(step.events[0].data).not.toHaveProperty('sentAt');
    });
  });

  describe('refusals of our own breaker, and attempts that run out (issue 10)', () => {
    it('does not count a refusal by our breaker as an attempt: the last attempt refused is tried again, after the breaker reset', () => {
      const last = transaction({ state: 'retrying', attempts: 4, maxAttempts: 4 });
      const step = decide(last, refused, retryArrival)!;
      expect(step.change).toMatchObject({ state: 'retrying', breakerRefusals: 1 });
      expect(step.then).toEqual({ kind: 'retry', inMs: expect.any(Number) });
      expect((step.then as { inMs: number }).inMs).toBeGreaterThanOrEqual(1600);
      // Nothing was sent: the refusal's event has no `sentAt`, and there is no other.
      expect(step.events).toEqual([expect.objectContaining({ type: 'retrying', data: { attempt: 4, code: 'breaker_open', reason: 'circuit open', retryInMs: expect.any(Number), counted: false } })]);
      // Four claims, one of them refused: three attempts counted, so an outage still leaves one.
      expect(decide(transaction({ state: 'retrying', attempts: 4, maxAttempts: 4, breakerRefusals: 1 }), outage, retryArrival)!.change.state).toBe('retrying');
    });

    it('writes no `sentAt` for any refusal of our own (rate limiter, bulkhead, configuration), but does for the agency\'s own 429', () => {
      for (const outcome of [
        { kind: 'transient', code: 'rate_limited', reason: 'more than 5 calls per second', notSent: true },
        { kind: 'transient', code: 'bulkhead_full', reason: '4 calls in flight and 8 waiting', notSent: true },
        { kind: 'transient', code: 'misconfigured', reason: 'unknown agency nrb', notSent: true },
      ] as const) {
        for (const arrival of [inline, retryArrival]) {
          const step = decide(transaction({ state: 'retrying', attempts: 2 }), outcome, arrival)!;
          expect(step.events).toEqual([expect.objectContaining({ type: 'retrying', data: expect.objectContaining({ attempt: 2, code: outcome.code }) })]);
          expect(step.events[0].data).not.toHaveProperty('sentAt');
          expect(step.events[0].data).not.toHaveProperty('inline');
        }
      }
      const agencys429 = decide(transaction({ state: 'retrying', attempts: 2 }), { kind: 'transient', code: 'rate_limited', reason: 'HTTP 429' }, retryArrival)!;
      expect(agencys429.events[0].data).toMatchObject({ sentAt: SENT.toISOString(), inline: false });
      // A replay our configuration refused is parked, without `sentAt`.
      const parked = decide(stored, { ...mapping, notSent: true }, replay)!;
      expect(parked.events.map((e) => [e.type, e.data.sentAt])).toEqual([['parked', undefined]]);
    });

    it('sends a store-and-forward transaction whose attempts ran out into the backlog, with a provisional reference', () => {
      const last = transaction({ state: 'retrying', attempts: 3, maxAttempts: 3 });
      const step = decide(last, outage, retryArrival, { fallback: 'store-and-forward', drawReference: () => 'NRB-7K4Q-2P' })!;
      expect(step.change).toMatchObject({
        state: 'manual',
        replayPending: true,
        fallback: 'store-and-forward',
        provisionalRef: 'NRB-7K4Q-2P',
        lastError: { code: 'attempts_exhausted' },
      });
      expect(step.events.map((e) => e.type)).toEqual(['manual', 'replay_requested']);
      expect(step.events[0].data).toMatchObject({ attempt: 3, sentAt: SENT.toISOString(), inline: false, code: 'attempts_exhausted' });
      expect(step.events[1].data).toEqual({ reason: 'attempts_exhausted', provisionalRef: 'NRB-7K4Q-2P' });
      const redrawn = withProvisionalRef(step, 'NRB-9Z9Z-22');
      expect(redrawn.change.provisionalRef).toBe('NRB-9Z9Z-22');
      expect(redrawn.events[1].data.provisionalRef).toBe('NRB-9Z9Z-22');
    });

    it('leaves any other service in manual for a person, out of the backlog', () => {
      const step = decide(transaction({ state: 'retrying', attempts: 3, maxAttempts: 3 }), outage, retryArrival, { fallback: 'manual' })!;
      expect(step.change).toEqual({ state: 'manual', lastError: expect.objectContaining({ code: 'attempts_exhausted' }), nextAttemptAt: null });
    });
  });

  describe('a replay that keeps failing while the agency is up (a poisonous transaction, issue 10)', () => {
    it('counts the failure, audits it and keeps the place in the backlog, below the limit', () => {
      const step = decide(stored, outage, replay, { agencyHealthy: true, maxReplayFailures: 3 })!;
      expect(step.change).toMatchObject({ state: 'manual', replayPending: true, replayFailures: 1 });
      expect(step.events.map((e) => [e.type, e.data.failures, e.data.sentAt])).toEqual([['replay_failed', 1, SENT.toISOString()]]);
      expect(step.then).toMatchObject({ kind: 'defer-replay' });
    });

    it('parks it with its reason at the limit, so the replay moves on', () => {
      const step = decide({ ...stored, replayFailures: 2 }, outage, replay, { agencyHealthy: true, maxReplayFailures: 3 })!;
      expect(step.change).toMatchObject({
        state: 'parked',
        replayPending: false,
        replayFailures: 0,
        parkedReason: { code: 'replay_failed', reason: expect.stringContaining('3 replays failed'), at: NOW.toISOString() },
      });
      expect(step.events.map((e) => e.type)).toEqual(['parked']);
      expect(step.then).toEqual({ kind: 'none' });
    });

    it("does not count an outage (health check failing), our own shedding nor the agency's 429", () => {
      for (const [outcome, agencyHealthy] of [
        [outage, false],
        [refused, true],
        [{ kind: 'transient', code: 'bulkhead_full', reason: 'full', notSent: true } as const, true],
        [{ kind: 'transient', code: 'rate_limited', reason: 'HTTP 429' } as const, true],
      ] as const) {
        const step = decide({ ...stored, replayFailures: 2 }, outcome, replay, { agencyHealthy, maxReplayFailures: 3 })!;
        expect(step.change).not.toHaveProperty('replayFailures');
        expect(step.change.state).toBe('manual');
        expect(step.events).toEqual([]);
      }
    });
  });

  describe('after a replay of the stored backlog', () => {
    it('completes, leaves the backlog and asks for the citizen notice', () => {
      const step = decide(stored, accepted, replay)!;
      expect(step.guard).toEqual({ states: ['manual'], attempt: 4, replayPending: true });
      expect(step.change).toMatchObject({ state: 'completed', agencyRef: 'NRB-000001', replayPending: false, replayed: true, parkedReason: null });
      expect(step.events.map((e) => [e.type, e.actor, e.occurredAt, e.data])).toEqual([
        ['completed', 'system:replay', NOW, { attempt: 4, replay: true, sentAt: SENT.toISOString(), agencyRef: 'NRB-000001' }],
      ]);
      expect(step.then).toEqual({ kind: 'notify-citizen' });
    });

    it('keeps the place in the backlog on an outage, with no audit noise, and backs off', () => {
      const step = decide(stored, outage, replay)!;
      expect(step.change).toEqual({ state: 'manual', replayPending: true, lastError: { code: 'unavailable', reason: 'HTTP 503' }, nextAttemptAt: null, parkedReason: null });
      expect(step.events).toEqual([]);
      expect(step.then).toEqual({ kind: 'defer-replay', retryAfterMs: 2500 });
    });

    it.each([
      ['a request the agency could not read', malformed],
      ['a mapping error of ours', mapping],
    ] as const)('parks %s for a person, with its reason', (_, outcome) => {
      const step = decide(stored, outcome, replay)!;
      expect(step.change).toMatchObject({ state: 'parked', replayPending: false, parkedReason: { code: outcome.code, at: NOW.toISOString() } });
      expect(step.events.map((e) => [e.type, e.data.sentAt])).toEqual([['parked', SENT.toISOString()]]);
    });

    it('keeps a refusal on the merits as rejected', () => {
      const step = decide(stored, onMerits, replay)!;
      expect(step.change).toMatchObject({ state: 'rejected', lastError: { code: 'ID_NOT_FOUND' }, replayPending: false });
      expect(step.events.map((e) => [e.type, e.data])).toEqual([['rejected', { attempt: 4, replay: true, sentAt: SENT.toISOString(), code: 'ID_NOT_FOUND', reason: 'no such person' }]]);
    });

    it('hands a replay over to an agency that answers later with one `dispatched` event, saying when it was sent', () => {
      const step = decide(stored, handedOver, replay)!;
      expect(step.change).toMatchObject({ state: 'dispatched', replayPending: false, replayed: true });
      expect(step.events.map((e) => [e.type, e.data])).toEqual([['dispatched', { attempt: 4, replay: true, sentAt: SENT.toISOString() }]]);
    });
  });

  describe('after an answer read from an inbox', () => {
    it('completes an unfinished transaction in any state, as the file-drop actor', () => {
      for (const state of ['dispatched', 'retrying', 'received', 'manual'] as const) {
        const step = decide(transaction({ state }), accepted, inbox)!;
        expect(step.change.state).toBe('completed');
        expect(step.guard).toMatchObject({ agencyCode: 'nrb' });
        expect(step.guard).not.toHaveProperty('attempt');
        expect(step.events).toEqual([
          expect.objectContaining({ type: 'completed', actor: 'system:file-drop', data: { agencyRef: 'NRB-000001', via: 'file-drop', source: 'answer-1.json' } }),
        ]);
      }
    });

    it('changes nothing once the transaction has finished (a second copy of one answer)', () => {
      for (const state of ['completed', 'rejected', 'cancelled', 'completed_manually', 'conflict'] as const) {
        expect(decide(transaction({ state }), onMerits, inbox)).toBeNull();
      }
    });
  });
});

describe('needsAHuman (which replay outcomes are parked)', () => {
  it('parks mapping errors and requests the agency could not read, never an outage or a refusal on the merits', () => {
    expect([mapping, malformed, { kind: 'transient', code: 'bad_response', reason: 'no reference' } as const].map(needsAHuman)).toEqual([true, true, true]);
    expect([outage, onMerits, accepted, { kind: 'transient', code: 'breaker_open', reason: 'open' } as const].map(needsAHuman)).toEqual([false, false, false, false]);
  });
});
