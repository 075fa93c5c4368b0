import { rmSync } from 'node:fs';
import { DEFAULT_REPLAY } from '../../contracts/src/catalogue.types';
import { POISONOUS_ID_NUMBER, startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';
import { eventually, type TestApp } from '../factories/app';
import { getTransaction, json, nrbEnvelope, submit } from './transactions.helpers';
import { auditEvents, countWhere, deployment, getAgency, setMode, submitWaves, type Deployment } from './manual-fallback.helpers';

const N = 200;

/**
 * Issue 10, "what must hold": a backlog of 200 stored applications whose head is poisonous (the
 * agency answers 500 to it every time, while its health check passes and it takes every other
 * application). The replay does not stall behind it: after `replay.maxFailures` failed replays it
 * is parked with its reason, and the other 199 reach the agency once each, in arrival order.
 */
describeWithPostgres('a backlog with a poisonous transaction at its head', () => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let deploy: Deployment;
  let app: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    deploy = deployment(db);
    app = await deploy.start(agency.url);
  });

  afterAll(async () => {
    await app?.close();
    await agency?.close();
    await db?.close();
    if (deploy) rmSync(deploy.dataDir, { recursive: true, force: true });
  });

  it('drains completely; the poisonous one ends parked with its reason', async () => {
    const operator = await app.token('operator', { subject: 'ops-njeri' });
    const officer = await app.token('officer', { centre: 'NRB-GPO' });
    expect((await setMode(app, operator, { mode: 'manual', reason: 'NRB platform down' })).status).toBe(200);
    const poisonous = await json(await submit(app, officer, nrbEnvelope({ idNumber: POISONOUS_ID_NUMBER })));
    expect(poisonous).toMatchObject({ state: 'manual', replayPending: true });
    const rest = await submitWaves([app], officer, N - 1);
    expect(rest.every((body) => body.status === 202)).toBe(true);
    expect(await countWhere(db, 'replay_pending')).toBe(N);
    expect(agency.stats().calls).toBe(0);

    expect((await setMode(app, operator, { mode: 'auto', reason: 'NRB back' })).status).toBe(200);
    await eventually(() => countWhere(db, `state = 'completed'`), (n) => n === N - 1, 60_000, 200);

    const parked = await getTransaction(app, operator, poisonous.id);
    expect(parked.state).toBe('parked');
    expect(parked).toMatchObject({ replayPending: false, parkedReason: { code: 'replay_failed', reason: expect.stringContaining('unavailable') } });
    const stats = agency.stats();
    expect(stats.poisoned).toBe(DEFAULT_REPLAY.maxFailures);
    expect(stats.accepted).toBe(N - 1);
    expect(Object.values(stats.byKey).every((times) => times === 1)).toBe(true);
    const { rows } = await db.pool.query<{ id: string }>(`SELECT id FROM transactions WHERE state = 'completed' ORDER BY created_at, id`);
    expect(stats.order).toEqual(rows.map((row) => row.id));

    // Each failed replay is audited; the last one parks it, with its reason.
    expect((await auditEvents(db, poisonous.id, 'replay_failed')).map((e) => e.data.failures)).toEqual([1, 2, 3, 4]);
    expect(await auditEvents(db, poisonous.id, 'parked')).toEqual([
      { actor: 'system:replay', data: expect.objectContaining({ code: 'replay_failed', failures: DEFAULT_REPLAY.maxFailures }) },
    ]);
    expect((await getAgency(app, operator)).replay).toMatchObject({ backlog: 0, replayed: N - 1, failed: 1, etaSeconds: null });
    expect(await countWhere(db, `state = 'parked' AND parked_reason->>'code' = 'replay_failed'`)).toBe(1);
  });
});
