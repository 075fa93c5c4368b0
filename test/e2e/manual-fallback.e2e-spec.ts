import { rmSync } from 'node:fs';
import { PROVISIONAL_REFERENCE } from '../../core/transactions/domain/provisional-reference';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';
import { eventually, type TestApp } from '../factories/app';
import { getTransaction, json, nrbEnvelope, submit, type JsonBody } from './transactions.helpers';
import { auditEvents, countWhere, deployment, getAgency, post, setMode, submitWaves, type Deployment } from './manual-fallback.helpers';

const N = 50;

/**
 * Issue 4: an agency forced to `manual` while applications arrive at two api replicas on one
 * database. Every citizen leaves with a provisional reference and nothing reaches the agency;
 * back in `auto`, the worker replays the backlog to the agency exactly once each, in arrival
 * order, at the configured rate; the paper process, rejections, parking and reconciliation are
 * audited with their actors.
 */
describeWithPostgres('manual fallback across two replicas', () => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let deploy: Deployment;
  let a: TestApp;
  let b: TestApp;
  let operator: string;
  let officer: string;
  let otherOfficer: string;
  let manager: string;
  let stored: JsonBody[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    deploy = deployment(db);
    a = await deploy.start(agency.url);
    b = await deploy.start(agency.url);
    operator = await a.token('operator', { subject: 'ops-wanjiru' });
    officer = await a.token('officer', { centre: 'NRB-GPO', subject: 'officer-otieno' });
    otherOfficer = await a.token('officer', { centre: 'MSA-01', subject: 'officer-mwangi' });
    manager = await a.token('manager', { subject: 'manager-achieng' });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await agency?.close();
    await db?.close();
    if (deploy) rmSync(deploy.dataDir, { recursive: true, force: true });
  });

  it('switches the agency to manual on one replica; the other sees it within a second or so', async () => {
    const bad = await setMode(a, operator, { mode: 'manual' });
    expect(bad.status).toBe(422);
    expect((await json(bad)).errors).toEqual([{ field: '/reason', message: expect.any(String) }]);
    expect((await setMode(a, officer, { mode: 'manual', reason: 'NRB down' })).status).toBe(403);

    const response = await setMode(a, operator, { mode: 'manual', reason: 'NRB platform down since 09:10' });
    expect(response.status).toBe(200);
    expect((await json(response)).modeSetting).toMatchObject({ mode: 'manual', effectiveMode: 'manual', changedBy: 'ops-wanjiru' });
    await eventually(() => getAgency(b, operator), (nrb) => nrb.mode === 'manual', 2000, 50);
  });

  it(`gives all ${N} applications a provisional reference and sends none to the agency`, async () => {
    stored = await submitWaves([a, b], officer, N);
    for (const body of stored) {
      expect(body.status).toBe(202);
      expect(body).toMatchObject({ state: 'manual', fallback: 'store-and-forward', replayPending: true });
      expect(body.provisionalReference).toMatch(PROVISIONAL_REFERENCE);
      expect(body.provisionalReference.startsWith('NRB-')).toBe(true);
    }
    expect(new Set(stored.map((s) => s.provisionalReference)).size).toBe(N);
    expect(agency.stats().calls).toBe(0);
    const nrb = await getAgency(a, operator);
    expect(nrb.replay).toMatchObject({ backlog: N, replayed: 0, failed: 0, paused: false, perSecond: 50 });
    // Nothing has left the backlog yet: no ETA is better than a made-up one (issue 10).
    expect(nrb.replay.etaSeconds).toBeNull();
  });

  it('prints an acknowledgment as HTML and as PDF', async () => {
    const { id, provisionalReference } = stored[0];
    const html = await fetch(`${b.url}/v1/transactions/${id}/acknowledgment`, { headers: { authorization: `Bearer ${officer}` } });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    const page = await html.text();
    expect(page).toContain(provisionalReference);
    expect(page).not.toContain('20000000'); // the ID number is masked
    const pdf = await fetch(`${a.url}/v1/transactions/${id}/acknowledgment?format=pdf`, { headers: { authorization: `Bearer ${officer}` } });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer()).toString('latin1');
    expect(bytes.startsWith('%PDF-1.4')).toBe(true);
    expect(bytes).toContain(`(${provisionalReference})`);
    expect(bytes.trimEnd().endsWith('%%EOF')).toBe(true);
  });

  it('answers a reject service with 503 and Retry-After, storing nothing', async () => {
    const before = await countWhere(db, 'true');
    const response = await submit(b, officer, { ...nrbEnvelope(), service: 'id-card-status-check' });
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await countWhere(db, 'true')).toBe(before);
    expect(agency.stats().calls).toBe(0);
  });

  it('gives a manual service the paper instructions; only officers of that centre (or managers) record the outcome', async () => {
    const response = await submit(a, officer, { ...nrbEnvelope(), service: 'id-card-amendment' });
    expect(response.status).toBe(202);
    const body = await json(response);
    expect(body).toMatchObject({ state: 'manual', fallback: 'manual', replayPending: false });
    expect(body.manualInstructions).toContain('form 136C');

    const elsewhere = await post(b, otherOfficer, `/v1/transactions/${body.id}/manual-outcome`, { outcome: 'completed', agencyRef: 'RCPT-1' });
    expect(elsewhere.status).toBe(403);
    const invalid = await post(b, officer, `/v1/transactions/${body.id}/manual-outcome`, { outcome: 'completed' });
    expect(invalid.status).toBe(422);
    const recorded = await post(b, officer, `/v1/transactions/${body.id}/manual-outcome`, { outcome: 'completed', agencyRef: 'RCPT-0042', note: 'Batch 7' });
    expect(recorded.status).toBe(200);
    expect(await json(recorded)).toMatchObject({ result: 'recorded', state: 'completed_manually', agencyReference: 'RCPT-0042' });
    expect(await auditEvents(db, body.id, 'completed_manually')).toEqual([
      { actor: 'officer-otieno', data: { outcome: 'completed', agencyRef: 'RCPT-0042' } },
    ]);
    expect(agency.stats().calls).toBe(0);
  });

  it('replays the backlog when the agency is back: exactly once each, in arrival order, at the configured rate', async () => {
    const switchedAt = Date.now();
    expect((await setMode(b, operator, { mode: 'auto', reason: 'NRB back up at 11:40' })).status).toBe(200);
    await eventually(() => countWhere(db, `fallback = 'store-and-forward' AND state = 'completed'`), (n) => n === N, 30_000, 100);
    const drainedMs = Date.now() - switchedAt;

    const { rows } = await db.pool.query<{ id: string }>(`SELECT id FROM transactions WHERE fallback = 'store-and-forward' ORDER BY created_at, id`);
    const stats = agency.stats();
    expect(stats.accepted).toBe(N);
    expect(stats.duplicates).toBe(0);
    expect(stats.order).toEqual(rows.map((r) => r.id));
    // 50 per second: the last of N cannot be sent before (N - 1) / 50 s after the first.
    expect(drainedMs).toBeGreaterThanOrEqual(((N - 1) / 50) * 1000 * 0.9);

    const notices = await db.pool.query<{ n: string }>(`SELECT count(DISTINCT transaction_id) AS n FROM citizen_notices WHERE kind = 'transaction-completed'`);
    expect(Number(notices.rows[0].n)).toBe(N);
    const done = await getTransaction(a, officer, stored[3].id);
    expect(done).toMatchObject({ state: 'completed', provisionalReference: stored[3].provisionalReference, replayPending: false });
    expect(done.agencyReference).toMatch(/^NRB-/);
    expect(done.history.map((e: { type: string }) => e.type)).toEqual(['received', 'manual', 'completed']);
    expect(done.history[2]).toMatchObject({ actor: 'system:replay', data: { replay: true, sentAt: expect.any(String) } });
    expect((await getAgency(a, operator)).replay).toMatchObject({ backlog: 0, replayed: N, failed: 0, etaSeconds: null });
  });

  it('flags a manual outcome recorded after the replay as a conflict, never sent twice, resolved by a manager', async () => {
    const tx = stored[5];
    const calls = agency.stats().calls;
    const response = await post(a, officer, `/v1/transactions/${tx.id}/manual-outcome`, { outcome: 'completed', agencyRef: 'PAPER-77' });
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ result: 'conflict', state: 'conflict' });
    expect(agency.stats().calls).toBe(calls);

    const open = await fetch(`${b.url}/v1/reconciliation`, { headers: { authorization: `Bearer ${manager}` } }).then(json);
    const item = open.items.find((i: { id: string }) => i.id === tx.id);
    expect(item.conflict.manual).toMatchObject({ agencyRef: 'PAPER-77', by: 'officer-otieno' });
    expect(item.conflict.agency.agencyRef).toMatch(/^NRB-/);

    expect((await post(b, officer, `/v1/reconciliation/${tx.id}/resolve`, { decision: 'keep-agency' })).status).toBe(403);
    const resolved = await post(b, manager, `/v1/reconciliation/${tx.id}/resolve`, { decision: 'keep-agency', note: 'paper form withdrawn' });
    expect(resolved.status).toBe(200);
    expect(await json(resolved)).toMatchObject({ state: 'completed', agencyReference: item.conflict.agency.agencyRef });
    expect(await auditEvents(db, tx.id, 'conflict')).toEqual([{ actor: 'officer-otieno', data: expect.objectContaining({ agencyRef: item.conflict.agency.agencyRef }) }]);
    expect(await auditEvents(db, tx.id, 'conflict_resolved')).toEqual([{ actor: 'manager-achieng', data: { decision: 'keep-agency', state: 'completed', agencyRef: item.conflict.agency.agencyRef } }]);
    expect(agency.stats().accepted).toBe(N);
  });

  it('parks a replay the agency cannot take; lists, replays one and in bulk', async () => {
    expect((await setMode(a, operator, { mode: 'manual', reason: 'second outage' })).status).toBe(200);
    await eventually(() => getAgency(b, operator), (nrb) => nrb.mode === 'manual', 2000, 50);
    const [broken] = await submitWaves([b], officer, 1, 1, 'id-card-legacy-renewal');
    expect(broken).toMatchObject({ status: 202, state: 'manual', replayPending: true });
    expect((await setMode(a, operator, { mode: 'auto', reason: 'back again' })).status).toBe(200);

    const parked = await eventually(() => getTransaction(a, officer, broken.id), (t) => t.state === 'parked', 15_000, 100);
    expect(parked.parkedReason.code).toBe('HTTP_404');
    const list = await fetch(`${a.url}/v1/transactions?state=parked&limit=10`, { headers: { authorization: `Bearer ${operator}` } }).then(json);
    expect(list.items.map((i: { id: string }) => i.id)).toEqual([broken.id]);
    expect(list.nextCursor).toBeNull();
    expect((await fetch(`${a.url}/v1/transactions?state=sideways`, { headers: { authorization: `Bearer ${operator}` } })).status).toBe(422);

    const one = await post(b, operator, `/v1/transactions/${broken.id}/replay`);
    expect(one.status).toBe(200);
    await eventually(() => getTransaction(a, officer, broken.id), (t) => t.state === 'parked' && t.history.filter((e: { type: string }) => e.type === 'parked').length === 2, 15_000, 100);
    // In bulk: a replay task (issue 10), run by a worker of either replica.
    const bulk = await fetch(`${a.url}/v1/replay-tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json', 'idempotency-key': `bulk-${broken.id}` },
      body: JSON.stringify({ filters: { agency: 'nrb', reason: 'HTTP_404' } }),
    });
    expect(bulk.status).toBe(201);
    const task = await json(bulk);
    const done = await eventually(() => fetch(`${b.url}/v1/replay-tasks/${task.id}`, { headers: { authorization: `Bearer ${operator}` } }).then(json), (t) => t.status === 'completed', 15_000, 100);
    expect(done.progress).toMatchObject({ total: 1, requeued: 1, skipped: 0 });
    expect((await auditEvents(db, broken.id, 'replay_requested')).map((e) => e.actor)).toEqual(['ops-wanjiru', 'ops-wanjiru']);
  });

  it('keeps every mode switch in the audit chain with actor and reason, and the chain verifies', async () => {
    const switches = await auditEvents(db, 'nrb', 'mode_changed');
    expect(switches.map((e) => [e.actor, e.data.to, e.data.reason])).toEqual([
      ['ops-wanjiru', 'manual', 'NRB platform down since 09:10'],
      ['ops-wanjiru', 'auto', 'NRB back up at 11:40'],
      ['ops-wanjiru', 'manual', 'second outage'],
      ['ops-wanjiru', 'auto', 'back again'],
    ]);
    expect((await a.runtime.audit.verify(db.pool)).ok).toBe(true);
  });
});
