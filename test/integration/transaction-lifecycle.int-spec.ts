import { PROVISIONAL_REFERENCE } from '../../core/transactions/domain/provisional-reference';
import type { Transaction } from '../../core/transactions/domain/transaction';
import { sentAtOf } from '../../core/transactions/domain/transaction-events';
import type { Submitter } from '../../core/transactions/use-cases/submit-transaction';
import { nrbEnvelope } from '../e2e/transactions.helpers';
import { startTransactionsWorld, type TransactionsWorld } from '../factories/transactions-world';

/**
 * The transaction lifecycle through its use cases, on the real database with the real
 * repositories and a real agency (the REST simulator), without the HTTP API: submit, the attempt
 * limit, acceptance under fallback, the hold of a retry, replay, the manual outcome and the
 * resolution of a conflict.
 */

const OPERATOR = { subject: 'ops-wanjiru', roles: ['operator'] };
const MANAGER = { subject: 'manager-achieng', roles: ['manager'] };
describe('transaction lifecycle (use cases on the real database, no HTTP)', () => {
  let world: TransactionsWorld;

  beforeAll(async () => {
    world = await startTransactionsWorld();
  });

  afterAll(async () => {
    await world?.close();
  });

  beforeEach(async () => {
    world.agency.reset({ keepNumbering: true });
    world.agency.setMode('healthy');
    await world.setMode('auto');
  });

  /** Runs the next attempt of a retrying transaction as the worker would, once its backoff has passed. */
  async function nextAttempt(tx: Transaction): Promise<Transaction> {
    await world.makeDue(tx.id);
    await world.retry.handle({ transactionId: tx.id, agencyCode: tx.agencyCode, attempt: tx.attempts + 1 });
    return (await world.transactions.find(tx.id))!;
  }

  it('records before calling, then completes inline with the agency reference', async () => {
    const tx = await world.submitNrb();
    expect(tx).toMatchObject({ state: 'completed', attempts: 1, lastError: null, replayPending: false, fallback: null });
    expect(tx.agencyRef).toMatch(/^NRB-\d{6}$/);
    // The request sent and its answer are one change: one event, the outcome's, says when it was sent (issue 13).
    const events = await world.audit.history(world.db.pool, 'transaction', tx.id);
    expect(events.map((e) => e.type)).toEqual(['received', 'completed']);
    expect(events[1].data).toEqual({ attempt: 1, sentAt: expect.any(String), inline: true, agencyRef: tx.agencyRef });
    expect(sentAtOf(events[1])!.getTime()).toBeLessThanOrEqual(events[1].occurredAt.getTime());
    expect(sentAtOf(events[1])!.getTime()).toBeGreaterThanOrEqual(events[0].occurredAt.getTime());
    expect(world.agency.stats().byKey[tx.id]).toBe(1);
  });

  it('retries a transient failure; while our breaker is open a retry waits for its trial unclaimed; at the limit (4) a stored service joins the backlog with a provisional reference', async () => {
    world.agency.setMode('down');
    let tx = await world.submitNrb({ idNumber: '30000001' });
    expect(tx).toMatchObject({ state: 'retrying', attempts: 1 });
    // The failures open the breaker (volumeThreshold 3): from then on the worker's retry is put back
    // until the breaker's trial (issue 13) without claiming the row, so no attempt is used and
    // nothing is written (issue 10: refusals of our breaker are not attempts). Once the breaker lets
    // a trial through, the real attempts go on until the fourth has failed.
    const waits: number[] = [];
    while (tx.state === 'retrying') {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await world.makeDue(tx.id);
      const due = (await world.transactions.find(tx.id))!;
      const later = await world.retry.handle({ transactionId: tx.id, agencyCode: tx.agencyCode, attempt: tx.attempts + 1 });
      tx = (await world.transactions.find(tx.id))!;
      if (!later) continue;
      waits.push(later.laterMs);
      expect(tx).toEqual(due);
    }
    expect(waits.length).toBeGreaterThan(0);
    expect(tx.breakerRefusals).toBe(0);
    expect(tx).toMatchObject({ state: 'manual', nextAttemptAt: null, lastError: { code: 'attempts_exhausted' } });
    expect(tx.attempts - tx.breakerRefusals).toBe(4);
    expect(world.agency.stats().calls).toBe(4);
    // id-card-replacement is store-and-forward: it waits in the backlog with a reference the citizen can quote.
    expect(tx).toMatchObject({ replayPending: true, fallback: 'store-and-forward' });
    expect(tx.provisionalRef).toMatch(PROVISIONAL_REFERENCE);
    // Nothing more to claim: the worker leaves it alone; the replay takes it when the agency is back.
    expect(await world.transactions.claimAttempt(tx.id, 10_000, new Date())).toBeNull();
    const events = await world.audit.history(world.db.pool, 'transaction', tx.id);
    // Each of the four calls is its outcome's event, with when it was sent; the refusals sent nothing.
    expect(events.filter((e) => sentAtOf(e) !== undefined).map((e) => [e.type, e.data.attempt])).toEqual([
      ['retrying', 1],
      ['retrying', 2],
      ['retrying', 3],
      ['manual', 4],
    ]);
    expect(events.map((e) => e.type)).not.toContain('dispatched');
    expect(events.slice(-2).map((e) => e.type)).toEqual(['manual', 'replay_requested']);
  });

  it('accepts under fallback without calling the agency: store-and-forward, paper process, or refused', async () => {
    await world.setMode('manual', 'NRB down');
    const stored = await world.submitNrb({ idNumber: '30000002' });
    expect(stored).toMatchObject({ state: 'manual', attempts: 0, fallback: 'store-and-forward', replayPending: true });
    expect(stored.provisionalRef).toMatch(PROVISIONAL_REFERENCE);
    expect(await world.eventTypes(stored.id)).toEqual(['received', 'manual']);

    const paper = await world.submitNrb({ service: 'id-card-amendment' });
    expect(paper).toMatchObject({ state: 'manual', fallback: 'manual', replayPending: false });

    const rows = Number((await world.db.pool.query('SELECT count(*) AS n FROM transactions')).rows[0].n);
    await expect(world.submitNrb({ service: 'id-card-status-check' })).rejects.toMatchObject({
      category: 'unavailable',
      code: 'agency-unavailable',
      details: { retryAfterSeconds: 300 },
    });
    expect(Number((await world.db.pool.query('SELECT count(*) AS n FROM transactions')).rows[0].n)).toBe(rows);
    expect(world.agency.stats().calls).toBe(0);

    // The same key again is the same stored transaction, with its reference.
    const key = 'fallback-repeat-1';
    const first = await world.submitNrb({ idNumber: '30000003', key });
    expect(await world.submitNrb({ idNumber: '30000003', key })).toMatchObject({ id: first.id, provisionalRef: first.provisionalRef });
  });

  it('holds a retry for an agency that went to manual, and joins the backlog in the same step', async () => {
    world.agency.failNext(1);
    const tx = await world.submitNrb({ idNumber: '30000004' });
    expect(tx.state).toBe('retrying');
    await world.setMode('manual', 'outage');
    const calls = world.agency.stats().calls;
    const held = await nextAttempt(tx);
    expect(held).toMatchObject({ state: 'manual', replayPending: true, fallback: 'store-and-forward', lastError: { code: 'agency_fallback' } });
    // Joining the backlog, it gets a reference the citizen can quote (and that the completion SMS names).
    expect(held.provisionalRef).toMatch(PROVISIONAL_REFERENCE);
    expect((await world.eventTypes(tx.id)).slice(-2)).toEqual(['manual', 'replay_requested']);
    expect(world.agency.stats().calls).toBe(calls);

    // Back in auto, the replay sends it (and anything else waiting) and tells the citizen.
    await world.setMode('auto', 'back');
    await world.drainReplay();
    const replayed = (await world.transactions.find(tx.id))!;
    expect(replayed).toMatchObject({ state: 'completed', replayPending: false });
    expect(replayed.replayedAt).toBeInstanceOf(Date);
    const replayEvents = (await world.audit.history(world.db.pool, 'transaction', tx.id)).slice(-2);
    expect(replayEvents.map((e) => e.type)).toEqual(['replay_requested', 'completed']);
    expect(replayEvents[1].actor).toBe('system:replay');
    expect(replayEvents[1].data).toMatchObject({ replay: true, sentAt: expect.any(String), agencyRef: replayed.agencyRef });
    // The SMS the acknowledgment promised waits in the outbox, with the final reference, for the worker to send.
    const { rows: notices } = await world.db.pool.query<{ kind: string; body: string; status: string }>(
      'SELECT kind, body, status FROM citizen_notices WHERE transaction_id = $1',
      [tx.id],
    );
    expect(notices).toEqual([{ kind: 'transaction-completed', body: expect.stringContaining(replayed.agencyRef!), status: 'pending' }]);
    expect(notices[0].body).toContain(replayed.provisionalRef!);
  });

  it('parks a replay the agency cannot read, and puts it back in the backlog on request', async () => {
    await world.setMode('manual', 'outage');
    const broken = await world.submitNrb({ service: 'id-card-legacy-renewal' });
    await world.setMode('auto', 'back');
    await world.drainReplay();
    const parked = (await world.transactions.find(broken.id))!;
    expect(parked).toMatchObject({ state: 'parked', replayPending: false, parkedReason: { code: 'HTTP_404' } });

    const requeued = await world.replayParked.one(broken.id, OPERATOR);
    expect(requeued).toMatchObject({ state: 'manual', replayPending: true, parkedReason: null });
    await expect(world.replayParked.one(broken.id, OPERATOR)).rejects.toMatchObject({ code: 'not-replayable' });
  });

  it('never sends an application whose data key is missing (a restore without citizen_keys): the replay is parked for a person, the agency gets nothing', async () => {
    await world.setMode('manual', 'outage');
    const keyless = await world.submitNrb({ idNumber: '30000077' });
    expect(keyless).toMatchObject({ replayPending: true });
    await world.db.pool.query('DELETE FROM citizen_keys WHERE record_id = $1', [keyless.id]);
    await world.setMode('auto', 'back');
    await world.drainReplay();
    expect(await world.transactions.find(keyless.id)).toMatchObject({ state: 'parked', replayPending: false, parkedReason: { code: 'misconfigured' } });
    expect(world.agency.stats().byKey[keyless.id]).toBeUndefined();
  });

  it('records a manual outcome for the paper process, for officers of that centre and managers only', async () => {
    await world.setMode('manual', 'outage');
    const paper = await world.submitNrb({ service: 'id-card-amendment' });
    const elsewhere = { subject: 'officer-mwangi', roles: ['officer'], centre: 'MSA-CBD' };
    await expect(world.manualOutcome.execute(paper.id, { outcome: 'completed', agencyRef: 'RCPT-1' }, elsewhere)).rejects.toMatchObject({ category: 'forbidden' });

    const { kind, transaction } = await world.manualOutcome.execute(paper.id, { outcome: 'completed', agencyRef: 'RCPT-0042', note: 'batch 7' }, world.officer);
    expect(kind).toBe('recorded');
    expect(transaction).toMatchObject({ state: 'completed_manually', agencyRef: 'RCPT-0042', manualOutcome: { outcome: 'completed', note: 'batch 7', by: 'officer-otieno' } });
    expect((await world.eventTypes(paper.id)).at(-1)).toBe('completed_manually');
    // Recorded once: a second outcome for a finished transaction is refused.
    await expect(world.manualOutcome.execute(paper.id, { outcome: 'rejected' }, world.officer)).rejects.toMatchObject({ code: 'outcome-not-recordable' });

    await world.setMode('auto');
    const fresh = await world.submitNrb();
    await expect(world.manualOutcome.execute(fresh.id, { outcome: 'completed', agencyRef: 'RCPT-2' }, world.officer)).rejects.toMatchObject({
      category: 'conflict',
      code: 'outcome-not-recordable',
    });
  });

  it('keeps both outcomes as a conflict when the paper outcome comes after the replay, and a manager resolves it', async () => {
    await world.setMode('manual', 'outage');
    const stored = await world.submitNrb({ idNumber: '30000005' });
    await world.setMode('auto', 'back');
    await world.drainReplay();
    const replayed = (await world.transactions.find(stored.id))!;
    expect(replayed.state).toBe('completed');

    const { kind, transaction } = await world.manualOutcome.execute(stored.id, { outcome: 'completed', agencyRef: 'PAPER-77' }, world.officer);
    expect(kind).toBe('conflict');
    expect(transaction.conflict).toMatchObject({ agency: { agencyRef: replayed.agencyRef, outcome: 'completed' }, manual: { agencyRef: 'PAPER-77' } });

    const resolved = await world.resolve.execute(stored.id, { decision: 'keep-manual', note: 'agency application withdrawn' }, MANAGER);
    expect(resolved).toMatchObject({ state: 'completed_manually', agencyRef: 'PAPER-77', conflict: { resolution: { decision: 'keep-manual', by: 'manager-achieng' } } });
    expect((await world.eventTypes(stored.id)).at(-1)).toBe('conflict_resolved');
    await expect(world.resolve.execute(stored.id, { decision: 'keep-agency' }, MANAGER)).rejects.toMatchObject({ code: 'not-in-conflict' });
  });

  it('resolves keep-agency to the agency’s outcome and reference', async () => {
    await world.setMode('manual', 'outage');
    const stored = await world.submitNrb({ idNumber: '30000006' });
    await world.setMode('auto', 'back');
    await world.drainReplay();
    const agencyRef = (await world.transactions.find(stored.id))!.agencyRef;
    await world.manualOutcome.execute(stored.id, { outcome: 'rejected' }, world.officer);
    const resolved = await world.resolve.execute(stored.id, { decision: 'keep-agency' }, MANAGER);
    expect(resolved).toMatchObject({ state: 'completed', agencyRef });
  });

  // Last: its submits reach the agency, and would change the breaker's window the retry case counts on.
  it('records the centre one decision allows: the body\'s within the submitter\'s scope, else its own; a second role never widens it', async () => {
    const submitAs = async (submitter: Submitter, centre: string | undefined) => {
      const envelope = { ...nrbEnvelope(), centre };
      return (await world.submit.execute({ envelope, submitter })).transaction;
    };
    const officerChannel: Submitter = { subject: 'officer-kamau', roles: ['officer', 'channel'], centre: 'NRB-GPO', client: 'kiungo-counter' };
    const channel: Submitter = { subject: 'portal', roles: ['channel'], client: 'kiungo-portal' };
    const count = async () => Number((await world.db.pool.query('SELECT count(*) AS n FROM transactions')).rows[0].n);

    // None named: the officer's own centre, whatever else the token holds; a channel alone has none.
    expect(await submitAs(officerChannel, undefined)).toMatchObject({ centreCode: 'NRB-GPO', officerId: 'officer-kamau' });
    expect(await submitAs(channel, undefined)).toMatchObject({ centreCode: null, officerId: null });
    // Named: a channel anywhere; an officer (with channel beside it) only at its own.
    expect(await submitAs(channel, 'MSA-CITY')).toMatchObject({ centreCode: 'MSA-CITY' });
    const rows = await count();
    const calls = world.agency.stats().calls;
    await expect(submitAs(officerChannel, 'MSA-CITY')).rejects.toMatchObject({ category: 'forbidden', code: 'wrong-centre' });
    // The agency binding beside a granting role confines the submit to that agency's services.
    await expect(submitAs({ ...channel, roles: ['channel', 'agency'], agency: 'kra' }, undefined)).rejects.toMatchObject({ category: 'forbidden', code: 'wrong-agency' });
    await expect(submitAs({ subject: 'auditor', roles: ['auditor'] }, 'NRB-GPO')).rejects.toMatchObject({ category: 'forbidden', code: 'insufficient-role' });
    expect(await count()).toBe(rows);
    expect(world.agency.stats().calls).toBe(calls);
  });
});
