import { randomBytes, randomUUID } from 'node:crypto';
import { newTransaction } from '../factories/transaction-records';
import { AuditLog } from '../../core/audit/audit-log';
import {
  canTransition,
  statesLeadingTo,
  TRANSACTION_STATES,
  type NewTransaction,
  type TransactionState,
  type TransactionStep,
} from '../../core/transactions/domain/transaction';
import { transactionEvent } from '../../core/transactions/domain/transaction-events';
import { PgTransactionRepository } from '../../core/transactions/pg/transaction.pg-repository';
import { createTestDatabase, type TestDatabase } from '../factories/database';

/**
 * PgTransactionRepository on the real database, directly: what each statement writes, the guard
 * of every change, and that a change and its audit events commit together or not at all.
 */
describe('PgTransactionRepository', () => {
  let db: TestDatabase;
  let audit: AuditLog;
  let repository: PgTransactionRepository;

  beforeAll(async () => {
    db = await createTestDatabase({ poolMax: 6 });
    audit = await AuditLog.open(db.pool);
    repository = new PgTransactionRepository(db.pool, audit);
  });

  afterAll(async () => {
    await db?.close();
  });

  const fresh = (overrides: Partial<NewTransaction> = {}): NewTransaction => newTransaction({ maxAttempts: 4, ...overrides });
  const event = (id: string, type: string) => transactionEvent(id, type, 'system:test', new Date(), { test: true });
  const recorded = async (overrides: Partial<NewTransaction> = {}) => {
    const tx = fresh(overrides);
    const recording = await repository.record(tx, [event(tx.id, 'received')]);
    if (recording.kind !== 'created') throw new Error(`not recorded: ${recording.kind}`);
    return recording.transaction;
  };
  const eventsOf = async (id: string) => (await repository.history(id)).map((e) => e.type);
  const count = async (sql: string, values: unknown[] = []) => Number((await db.pool.query<{ n: string }>(sql, values)).rows[0].n);

  describe('record', () => {
    it('writes the row with its events, and the fallback facts it is given', async () => {
      const tx = fresh({ state: 'manual', attempts: 0, nextAttemptAt: null, fallback: 'store-and-forward', provisionalRef: 'NRB-7K4Q-2P', replayPending: true });
      const recording = await repository.record(tx, [event(tx.id, 'received'), event(tx.id, 'manual')]);
      expect(recording).toMatchObject({ kind: 'created', transaction: { id: tx.id, state: 'manual', fallback: 'store-and-forward', replayPending: true } });
      expect(await eventsOf(tx.id)).toEqual(['received', 'manual']);
      expect(await repository.find(tx.id)).toMatchObject({
        provisionalRef: 'NRB-7K4Q-2P',
        replayedAt: null,
        manualOutcome: null,
        parkedReason: null,
        conflict: null,
        citizenSealed: tx.citizenSealed,
        // Its data key, written by the same statement and read back with the row.
        dataKeySealed: tx.dataKeySealed,
      });
    });

    it('writes nothing for an idempotency key used before and returns the transaction it created', async () => {
      const key = { idempotencyScope: 'channel-1', idempotencyKey: randomUUID(), requestHash: 'h1' };
      const first = await recorded(key);
      const events = await count('SELECT count(*) AS n FROM audit_events');
      const again = fresh({ ...key, requestHash: 'h2' });
      expect(await repository.record(again, [event(again.id, 'received')])).toMatchObject({ kind: 'existing', transaction: { id: first.id, requestHash: 'h1' } });
      expect(await repository.find(again.id)).toBeNull();
      expect(await count('SELECT count(*) AS n FROM audit_events')).toBe(events);
    });

    it('reports a provisional reference already taken, writing nothing', async () => {
      await recorded({ state: 'manual', provisionalRef: 'NRB-TAKN-22', fallback: 'store-and-forward' });
      const clash = fresh({ state: 'manual', provisionalRef: 'NRB-TAKN-22', fallback: 'store-and-forward' });
      expect(await repository.record(clash, [event(clash.id, 'received')])).toEqual({ kind: 'provisional-ref-taken' });
      expect(await eventsOf(clash.id)).toEqual([]);
    });
  });

  describe('apply', () => {
    it('follows the transition table: a step guarded by statesLeadingTo(to) applies exactly where the table allows', async () => {
      const refused: string[] = [];
      for (const from of TRANSACTION_STATES) {
        for (const to of TRANSACTION_STATES) {
          const tx = await recorded({ state: from });
          const step: TransactionStep = { guard: { states: statesLeadingTo(to) }, change: { state: to }, events: [event(tx.id, to)] };
          const applied = await repository.apply(tx.id, step);
          expect([from, to, applied?.transaction.state ?? from]).toEqual([from, to, canTransition(from, to) ? to : from]);
          // The change and its event commit together, or neither does.
          expect(await eventsOf(tx.id)).toEqual(canTransition(from, to) ? ['received', to] : ['received']);
          if (!applied) refused.push(`${from}->${to}`);
        }
      }
      expect(refused).toContain('completed->received');
      expect(refused).toContain('conflict->completed');
      expect(refused).not.toContain('manual->parked');
    });

    it('applies an outcome only to the attempt it answers', async () => {
      const tx = await recorded({ attempts: 2 });
      const late = { guard: { states: ['received'] as TransactionState[], attempt: 1 }, change: { state: 'completed' as const, agencyRef: 'NRB-1' }, events: [] };
      expect(await repository.apply(tx.id, late)).toBeNull();
      expect(await repository.apply(tx.id, { ...late, guard: { ...late.guard, attempt: 2 } })).toMatchObject({ transaction: { state: 'completed', agencyRef: 'NRB-1' } });
    });

    it('checks the backlog flag, the agency, the reference and the manual outcome when the step says so', async () => {
      const stored = await recorded({ state: 'manual', replayPending: true, fallback: 'store-and-forward' });
      const toParked = { state: 'parked' as const, replayPending: false, parkedReason: { code: 'x', reason: 'y', at: new Date().toISOString() } };
      expect(await repository.apply(stored.id, { guard: { states: ['manual'], replayPending: false }, change: toParked, events: [] })).toBeNull();
      expect(await repository.apply(stored.id, { guard: { states: ['manual'], agencyCode: 'kra' }, change: toParked, events: [] })).toBeNull();
      const parked = await repository.apply(stored.id, { guard: { states: ['manual'], replayPending: true, agencyCode: 'nrb' }, change: toParked, events: [] });
      expect(parked?.transaction).toMatchObject({ state: 'parked', replayPending: false, parkedReason: { code: 'x' } });

      const done = await recorded();
      await repository.apply(done.id, { guard: { states: ['received'] }, change: { state: 'completed', agencyRef: 'NRB-77' }, events: [] });
      const conflict = { state: 'conflict' as const, conflict: { agency: { agencyRef: 'NRB-77', outcome: 'completed', at: new Date().toISOString() } } };
      expect(await repository.apply(done.id, { guard: { states: ['completed'], agencyRef: 'NRB-78' }, change: conflict, events: [] })).toBeNull();
      expect(await repository.apply(done.id, { guard: { states: ['completed'], manualOutcome: 'present' }, change: conflict, events: [] })).toBeNull();
      const flagged = await repository.apply(done.id, { guard: { states: ['completed'], agencyRef: 'NRB-77', manualOutcome: 'absent' }, change: conflict, events: [] });
      expect(flagged?.transaction.conflict).toMatchObject({ agency: { agencyRef: 'NRB-77' } });
    });

    it('leaves the fields a step does not name as they were', async () => {
      const tx = await recorded();
      await repository.apply(tx.id, {
        guard: { states: ['received'] },
        change: { state: 'completed', agencyRef: 'NRB-5', result: { reference: 'NRB-5', collectionDate: '2026-12-01' }, lastError: null },
        events: [],
      });
      const later = await repository.apply(tx.id, { guard: { states: ['completed'] }, change: { state: 'conflict', lastError: { code: 'c', reason: 'r' } }, events: [] });
      expect(later?.transaction).toMatchObject({ agencyRef: 'NRB-5', result: { collectionDate: '2026-12-01' }, lastError: { code: 'c' } });
    });

    it('records a citizen notice with the completion, once per transaction and kind', async () => {
      const tx = await recorded({ state: 'manual', replayPending: true });
      const notice = { kind: 'transaction-completed', phoneSealed: randomBytes(8), text: 'Huduma: your application is now with the agency. Reference: NRB-9.' };
      const completes: TransactionStep = { guard: { states: ['manual'] }, change: { state: 'completed', agencyRef: 'NRB-9', replayed: true }, events: [event(tx.id, 'completed')] };
      expect(await repository.apply(tx.id, completes, { notice })).toMatchObject({ noticeRecorded: true, transaction: { state: 'completed' } });
      expect((await repository.find(tx.id))?.replayedAt).toBeInstanceOf(Date);
      const again = await repository.apply(tx.id, { ...completes, guard: { states: ['completed'] } }, { notice });
      expect(again?.noticeRecorded).toBe(false);
      expect(await count('SELECT count(*) AS n FROM citizen_notices WHERE transaction_id = $1', [tx.id])).toBe(1);
    });

    it('names the oldest other transaction of the agency holding the reference a completion records', async () => {
      const holder = await recorded();
      await repository.apply(holder.id, { guard: { states: ['received'] }, change: { state: 'completed', agencyRef: 'NRB-DUP-1' }, events: [] });
      const otherAgency = await recorded({ agencyCode: 'kra' });
      await repository.apply(otherAgency.id, { guard: { states: ['received'] }, change: { state: 'completed', agencyRef: 'NRB-DUP-1' }, events: [] });
      const second = await recorded();
      const step: TransactionStep = { guard: { states: ['received'] }, change: { state: 'completed', agencyRef: 'NRB-DUP-1' }, events: [event(second.id, 'completed')] };
      expect(await repository.apply(second.id, step, { findDuplicateReference: true })).toMatchObject({ duplicateOf: holder.id });
      const unique = await recorded();
      const uniqueStep = { ...step, change: { state: 'completed' as const, agencyRef: 'NRB-UNIQUE-1' }, events: [] };
      expect(await repository.apply(unique.id, uniqueStep, { findDuplicateReference: true })).toMatchObject({ duplicateOf: null });
    });
  });

  describe('claims', () => {
    it('takes an attempt only when it is due, once among concurrent claimers', async () => {
      const notDue = await recorded({ nextAttemptAt: new Date(Date.now() + 60_000) });
      expect(await repository.claimAttempt(notDue.id, 10_000, new Date())).toBeNull();
      const due = await recorded({ state: 'retrying', nextAttemptAt: new Date(Date.now() - 1000) });
      const claims = await Promise.all([1, 2, 3].map(() => repository.claimAttempt(due.id, 10_000, new Date())));
      const won = claims.filter((claim) => claim !== null);
      expect(won).toHaveLength(1);
      expect(won[0]).toMatchObject({ attempts: 2 });
      expect(won[0]!.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now() + 5000);
    });
  });

  describe('reads', () => {
    it('lists one state oldest first, filtered, page by page', async () => {
      const agency = `ag${randomBytes(3).toString('hex')}`;
      const reason = (code: string) => ({ code, reason: 'r', at: new Date().toISOString() });
      const parked: string[] = [];
      for (let i = 0; i < 5; i++) {
        const tx = await recorded({ agencyCode: agency, state: 'parked' });
        // Milliseconds, as the application writes created_at (the cursor carries an ISO time).
        await db.pool.query(`UPDATE transactions SET parked_reason = $2, created_at = date_trunc('milliseconds', now()) + make_interval(secs => $3) WHERE id = $1`, [
          tx.id,
          JSON.stringify(reason(i % 2 === 0 ? 'HTTP_404' : 'misconfigured')),
          i,
        ]);
        parked.push(tx.id);
      }
      await recorded({ agencyCode: agency, state: 'manual' });
      const firstPage = await repository.list({ state: 'parked', agencyCode: agency, limit: 2 });
      expect(firstPage.map((tx) => tx.id)).toEqual(parked.slice(0, 2));
      const last = firstPage[1];
      const secondPage = await repository.list({ state: 'parked', agencyCode: agency, limit: 2, after: { createdAt: last.createdAt, id: last.id } });
      expect(secondPage.map((tx) => tx.id)).toEqual(parked.slice(2, 4));
      expect((await repository.list({ state: 'parked', agencyCode: agency, reasonCode: 'HTTP_404', limit: 10 })).map((tx) => tx.id)).toEqual([parked[0], parked[2], parked[4]]);
      expect(await repository.list({ state: 'parked', agencyCode: agency, serviceCode: 'no-such-service', limit: 10 })).toEqual([]);
    });

    it('counts what operators watch: open transactions, the replay backlog and its progress', async () => {
      const agency = `ag${randomBytes(3).toString('hex')}`;
      expect(await repository.hasBacklog(agency)).toBe(false);
      await recorded({ agencyCode: agency, state: 'manual', replayPending: true, fallback: 'store-and-forward' });
      await recorded({ agencyCode: agency, state: 'parked', fallback: 'store-and-forward' });
      const replayed = await recorded({ agencyCode: agency, state: 'manual', replayPending: true, fallback: 'store-and-forward' });
      // Replayed now on the app's clock (the step's event's time), as replayProgress reads it.
      const replayedEvent = { entityType: 'transaction', entityId: replayed.id, type: 'completed', actor: 'system:replay', data: {}, occurredAt: new Date() };
      await repository.apply(replayed.id, { guard: { states: ['manual'] }, change: { state: 'completed', replayPending: false, replayed: true }, events: [replayedEvent] });
      await recorded({ agencyCode: agency, state: 'retrying' });
      expect(await repository.hasBacklog(agency)).toBe(true);
      expect(await repository.replayProgress(agency, new Date())).toEqual({ backlog: 1, replayed: 1, failed: 1, recent: { count: 1, spanSeconds: expect.any(Number) } });
      expect((await repository.openCountsByAgency())[agency]).toEqual({ manual: 1, parked: 1, retrying: 1 });
    });

    it('finds work a crash left behind: overdue attempts and overdue answers', async () => {
      const overdue = await recorded({ state: 'retrying', nextAttemptAt: new Date(Date.now() - 60_000) });
      const answer = await recorded({ state: 'dispatched', nextAttemptAt: new Date(Date.now() - 1000) });
      await recorded({ state: 'retrying', nextAttemptAt: new Date(Date.now() + 60_000) });
      expect((await repository.findOverdue(2000, 1000, new Date())).map((tx) => tx.id)).toContain(overdue.id);
      expect((await repository.findUnanswered(1000, new Date())).map((tx) => tx.id)).toContain(answer.id);
      expect((await repository.findOverdue(2000, 1000, new Date())).map((tx) => tx.id)).not.toContain(answer.id);
      // An agency whose retries wait for its breaker's trial is left out of the sweep.
      expect((await repository.findOverdue(2000, 1000, new Date(), [overdue.agencyCode])).map((tx) => tx.id)).not.toContain(overdue.id);
      expect((await repository.findOverdue(2000, 1000, new Date(), ['another-agency'])).map((tx) => tx.id)).toContain(overdue.id);
    });
  });
});
