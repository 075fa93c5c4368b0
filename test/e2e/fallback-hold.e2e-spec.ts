import { rmSync } from 'node:fs';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';
import { eventually, type TestApp } from '../factories/app';
import { getTransaction, json, nrbEnvelope, submit } from './transactions.helpers';
import { deployment, getAgency, setMode, type Deployment } from './manual-fallback.helpers';

/**
 * A transaction already retrying when the operator switches its agency to manual is not sent
 * again: it joins the replay backlog and reaches the agency once it is back. A maintenance
 * window applies only between its start and end, and a reject service says when to come back.
 */
describeWithPostgres('retries held by manual mode, and maintenance windows', () => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let deploy: Deployment;
  let app: TestApp;
  let operator: string;
  let officer: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    deploy = deployment(db);
    app = await deploy.start(agency.url);
    operator = await app.token('operator', { subject: 'ops-njeri' });
    officer = await app.token('officer', { centre: 'NRB-GPO' });
  });

  afterAll(async () => {
    await app?.close();
    await agency?.close();
    await db?.close();
    if (deploy) rmSync(deploy.dataDir, { recursive: true, force: true });
  });

  it('moves a retrying transaction into the replay backlog without calling the agency, then replays it', async () => {
    agency.setMode('down');
    const response = await submit(app, officer, nrbEnvelope());
    const { id, state } = await json(response);
    expect(state).toBe('retrying');
    expect((await setMode(app, operator, { mode: 'manual', reason: 'NRB down, paper from now' })).status).toBe(200);
    const held = await eventually(() => getTransaction(app, officer, id), (t) => t.state === 'manual', 10_000, 100);
    expect(held).toMatchObject({ replayPending: true, lastError: { code: 'agency_fallback' } });
    const calls = agency.stats().calls;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(agency.stats().calls).toBe(calls);

    agency.setMode('healthy');
    expect((await setMode(app, operator, { mode: 'auto', reason: 'NRB back' })).status).toBe(200);
    const done = await eventually(() => getTransaction(app, officer, id), (t) => t.state === 'completed', 15_000, 100);
    expect(done.agencyReference).toMatch(/^NRB-/);
    expect(agency.stats().byKey[id]).toBe(1);
  });

  it('flags a conflict when the paper outcome is recorded while the replay is at the agency; nothing is sent twice', async () => {
    expect((await setMode(app, operator, { mode: 'manual', reason: 'NRB slow, paper meanwhile' })).status).toBe(200);
    await eventually(() => getAgency(app, operator), (nrb) => nrb.mode === 'manual', 2000, 50);
    const { id } = await json(await submit(app, officer, nrbEnvelope({ idNumber: '31111111' })));
    // Below the health-check timeout (inlineTimeoutMs 500) and the call timeout (800).
    agency.setMode('slow', { delayMs: 400 });
    const callsBefore = agency.stats().calls;
    expect((await setMode(app, operator, { mode: 'auto', reason: 'NRB answering again' })).status).toBe(200);
    await eventually(async () => agency.stats().calls, (calls) => calls > callsBefore, 5000, 10);

    const recorded = await fetch(`${app.url}/v1/transactions/${id}/manual-outcome`, {
      method: 'POST',
      headers: { authorization: `Bearer ${officer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'completed', agencyRef: 'WAITING-CARD-9' }),
    });
    expect(await json(recorded)).toMatchObject({ result: 'recorded', state: 'completed_manually' });
    const conflict = await eventually(() => getTransaction(app, officer, id), (t) => t.state === 'conflict', 10_000, 50);
    expect(conflict.conflict.manual.agencyRef).toBe('WAITING-CARD-9');
    expect(conflict.conflict.agency.agencyRef).toMatch(/^NRB-/);
    agency.setMode('healthy');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(agency.stats().byKey[id]).toBe(1);
    expect(agency.stats().calls).toBe(callsBefore + 1);
  });

  it('applies a maintenance window only while it lasts, and a reject service answers Retry-After up to its end', async () => {
    const later = { start: new Date(Date.now() + 3600_000).toISOString(), end: new Date(Date.now() + 7200_000).toISOString() };
    expect((await setMode(app, operator, { mode: 'maintenance', reason: 'upgrade tonight', window: later })).status).toBe(200);
    expect((await getAgency(app, operator)).mode).toBe('auto');

    const bad = await setMode(app, operator, { mode: 'maintenance', reason: 'upgrade', window: { start: later.end, end: later.start } });
    expect(bad.status).toBe(422);
    expect((await json(bad)).errors[0].field).toBe('/window/end');

    const now = { start: new Date(Date.now() - 60_000).toISOString(), end: new Date(Date.now() + 600_000).toISOString() };
    expect((await setMode(app, operator, { mode: 'maintenance', reason: 'upgrade now', window: now })).status).toBe(200);
    expect((await getAgency(app, operator)).mode).toBe('maintenance');
    const rejected = await submit(app, officer, { ...nrbEnvelope(), service: 'id-card-status-check' });
    expect(rejected.status).toBe(503);
    const retryAfter = Number(rejected.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(500);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect((await setMode(app, operator, { mode: 'auto', reason: 'upgrade done' })).status).toBe(200);
  });
});
