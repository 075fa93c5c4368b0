import type { AgencyOutcome } from '../../contracts/src/dispatch';
import type { AuditEvent, NewAuditEvent } from '../../core/audit/audit-event';
import { nextState, type Arrival } from '../../core/transactions/domain/agency-outcome';
import type { Transaction, TransactionStep } from '../../core/transactions/domain/transaction';
import { sentAtOf } from '../../core/transactions/domain/transaction-events';
import { createAuditWorld, type AuditWorld } from '../factories/audit-world';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { newTransaction } from '../factories/transaction-records';

/**
 * Issue 13: a request sent and the outcome it met are one event, the outcome's, carrying `sentAt`;
 * `dispatched` is written only where the hand-over is the change (an answer to come later). Stored
 * histories keep the older form (a `dispatched` event per request sent, then the outcome's), and
 * verify must accept both, and a history that changed form half-way. Each history below is written
 * through the real repository, step by step as the use cases write them; the older form is each
 * step's events as the code before the change wrote them (`asBefore`).
 */
const outage: AgencyOutcome = { kind: 'transient', code: 'unavailable', reason: 'HTTP 503' };
const accepted: AgencyOutcome = { kind: 'accepted', agencyRef: 'NRB-000777' };
const malformed: AgencyOutcome = { kind: 'rejected', code: 'HTTP_404', reason: 'no such route', grounds: 'malformed-request' };
const handedOver: AgencyOutcome = { kind: 'pending', handedOverAt: new Date().toISOString(), answerTimeoutMs: 60_000 };
const noAnswer: AgencyOutcome = { kind: 'transient', code: 'timeout', reason: 'no answer from the agency' };

type Via = 'inline' | 'retry' | 'replay' | 'no-answer';
/** Each step of a history: how the outcome came, and whether its events are written in the older form. */
type Step = [Via, AgencyOutcome, 'before' | 'now'];

/** A step's events as the code before issue 13 wrote them: a `dispatched` event at the moment each request was sent, then the outcome's without `sentAt`. */
function asBefore(events: readonly NewAuditEvent[]): NewAuditEvent[] {
  return events.flatMap((event) => {
    if (typeof event.data.sentAt !== 'string') return [event];
    const { sentAt, inline, ...rest } = event.data;
    const handOver = { ...event, type: 'dispatched', occurredAt: new Date(sentAt), data: rest.replay ? { attempt: rest.attempt, replay: true } : { attempt: rest.attempt, inline } };
    return event.type === 'dispatched' ? [handOver] : [handOver, { ...event, data: rest }];
  });
}

describe('transaction histories in both forms (issue 13)', () => {
  let db: TestDatabase;
  let world: AuditWorld;

  beforeAll(async () => {
    db = await createTestDatabase();
    world = await createAuditWorld(db.pool);
  });

  afterAll(async () => {
    world?.close();
    await db?.close();
  });

  /** Records a transaction, then writes each step's outcome as the worker, the replay or the sweeper would; returns it and its events. */
  async function history(steps: Step[]): Promise<{ tx: Transaction; events: AuditEvent[] }> {
    const record = newTransaction({ maxAttempts: 3, dataKeySealed: null });
    const at = new Date();
    const received = { entityType: 'transaction', entityId: record.id, type: 'received', actor: 'officer-1', occurredAt: at, data: { service: 'id-card-replacement', agency: 'nrb', channel: 'counter', centre: 'NRB-GPO', client: 'kiungo-counter' } };
    const recorded = await world.transactions.record(record, [received]);
    if (recorded.kind !== 'created') throw new Error('not recorded');
    let tx = recorded.transaction;
    for (const [n, [via, outcome, form]] of steps.entries()) {
      // Each attempt after the first is claimed (attempts + 1) as the worker or the replay claims it.
      if (n > 0 && via !== 'no-answer') await db.pool.query('UPDATE transactions SET attempts = attempts + 1 WHERE id = $1', [tx.id]);
      tx = (await world.transactions.find(tx.id))!;
      const now = new Date();
      const sentAt = new Date(now.getTime() - 5);
      const arrival: Arrival =
        via === 'replay' ? { via: 'replay', sentAt } : via === 'no-answer' ? { via: 'no-answer' } : { via: 'attempt', actor: via === 'inline' ? 'officer-1' : 'system:worker', sentAt, inline: via === 'inline' };
      const step: TransactionStep = nextState(tx, outcome, arrival, { now, fallback: 'store-and-forward', agencyHealthy: true })!;
      const applied = await world.transactions.apply(tx.id, form === 'before' ? { ...step, events: asBefore(step.events) } : step);
      if (!applied) throw new Error(`step ${n} (${via}) did not apply to ${tx.state}`);
      tx = applied.transaction;
    }
    return { tx, events: await world.audit.history(db.pool, 'transaction', tx.id) };
  }

  const types = (events: AuditEvent[]) => events.map((e) => e.type);
  const sent = (events: AuditEvent[]) => events.filter((e) => sentAtOf(e) !== undefined).length;

  it('writes one event per attempt answered at once: the outcome, with when it was sent and whether inline; no `dispatched` beside it', async () => {
    const { tx, events } = await history([
      ['inline', outage, 'now'],
      ['retry', accepted, 'now'],
    ]);
    expect(tx.state).toBe('completed');
    expect(types(events)).toEqual(['received', 'retrying', 'completed']);
    expect(events[1].data).toEqual({ attempt: 1, sentAt: expect.any(String), inline: true, code: 'unavailable', reason: 'HTTP 503', retryInMs: expect.any(Number) });
    expect(events[2].data).toEqual({ attempt: 2, sentAt: expect.any(String), inline: false, agencyRef: 'NRB-000777' });
    for (const event of events.slice(1)) {
      // Sent before its outcome was recorded, as the stored ISO string of the moment.
      expect(new Date(event.data.sentAt as string).toISOString()).toBe(event.data.sentAt);
      expect(sentAtOf(event)!.getTime()).toBeLessThan(event.occurredAt.getTime());
    }
    expect(sent(events)).toBe(2);
    expect(await world.verifier.verify()).toMatchObject({ ok: true, findings: [] });
  });

  it('keeps `dispatched` where the hand-over is the change (an answer to come later), as the outcome event itself', async () => {
    const { tx, events } = await history([
      ['inline', handedOver, 'now'],
      ['no-answer', noAnswer, 'now'],
      ['retry', accepted, 'now'],
    ]);
    expect(tx.state).toBe('completed');
    expect(types(events)).toEqual(['received', 'dispatched', 'retrying', 'completed']);
    expect(events[1].data).toEqual({ attempt: 1, sentAt: expect.any(String), inline: true });
    // The sweeper's timed-out attempt sent nothing.
    expect(events[2].data).not.toHaveProperty('sentAt');
    expect(sent(events)).toBe(2);
    expect(await world.verifier.verify()).toMatchObject({ ok: true, findings: [] });
  });

  it.each([
    ['before', 'a replay the agency cannot read is parked', malformed, { state: 'parked', replayPending: false }, 'parked'],
    ['now', 'a replay the agency cannot read is parked', malformed, { state: 'parked', replayPending: false }, 'parked'],
    ['before', 'a replay that fails while the agency is up stays in the backlog', outage, { state: 'manual', replayPending: true, replayFailures: 1 }, 'replay_failed'],
    ['now', 'a replay that fails while the agency is up stays in the backlog', outage, { state: 'manual', replayPending: true, replayFailures: 1 }, 'replay_failed'],
  ] as const)('verifies a history written %s: retries run out into the backlog, and %s', async (form, _what, replayed, row, last) => {
    const { tx, events } = await history([
      ['inline', outage, form],
      ['retry', outage, form],
      ['retry', outage, form],
      ['replay', replayed, form],
    ]);
    expect(tx).toMatchObject(row);
    expect(types(events)).toEqual(
      form === 'before'
        ? ['received', 'dispatched', 'retrying', 'dispatched', 'retrying', 'dispatched', 'manual', 'replay_requested', 'dispatched', last]
        : ['received', 'retrying', 'retrying', 'manual', 'replay_requested', last],
    );
    // Four requests sent, in either form.
    expect(sent(events)).toBe(4);
    expect(await world.verifier.verify()).toMatchObject({ ok: true, findings: [] });
  });

  it('verifies histories in the older form that end in each way, and one that changed form half-way', async () => {
    const completedInline = await history([['inline', accepted, 'before']]);
    expect(types(completedInline.events)).toEqual(['received', 'dispatched', 'completed']);
    const handOver = await history([
      ['inline', handedOver, 'before'],
      ['no-answer', noAnswer, 'before'],
      ['retry', outage, 'before'],
      ['retry', outage, 'now'],
      ['replay', accepted, 'now'],
    ]);
    expect(handOver.tx).toMatchObject({ state: 'completed', agencyRef: 'NRB-000777' });
    expect(types(handOver.events)).toEqual(['received', 'dispatched', 'retrying', 'dispatched', 'retrying', 'manual', 'replay_requested', 'completed']);
    expect(sent(handOver.events)).toBe(4);
    expect(await world.verifier.verify()).toMatchObject({ ok: true, findings: [] });

    // Both forms still convict an edited row.
    await db.pool.query(`UPDATE transactions SET state = 'rejected' WHERE id = ANY($1::uuid[])`, [[completedInline.tx.id, handOver.tx.id]]);
    const report = await world.verifier.verify();
    expect(report.findings.map((f) => [f.reason, f.entityId]).sort()).toEqual(
      [
        ['state_mismatch', completedInline.tx.id],
        ['state_mismatch', handOver.tx.id],
      ].sort(),
    );
    await db.pool.query(`UPDATE transactions SET state = 'completed' WHERE id = ANY($1::uuid[])`, [[completedInline.tx.id, handOver.tx.id]]);
  });
});
