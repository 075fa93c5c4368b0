import { rmSync } from 'node:fs';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';
import { eventually, type TestApp } from '../factories/app';
import { json } from './transactions.helpers';
import { countWhere, deployment, post, setMode, submitWaves, type Deployment } from './manual-fallback.helpers';

const N = 30;

/**
 * A replay interrupted by closing the process half-way: a new process on the same database
 * carries on from the first transaction not yet replayed. The agency gets every application
 * once, in arrival order. Pause/resume stops and restarts it.
 */
describeWithPostgres('a replay interrupted by a restart', () => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let deploy: Deployment;
  let first: TestApp | undefined;
  let second: TestApp | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    deploy = deployment(db);
  });

  afterAll(async () => {
    await first?.close();
    await second?.close();
    await agency?.close();
    await db?.close();
    if (deploy) rmSync(deploy.dataDir, { recursive: true, force: true });
  });

  it('continues after a new process starts, with no duplicate at the agency', async () => {
    first = await deploy.start(agency.url);
    const operator = await first.token('operator', { subject: 'ops-kamau' });
    const officer = await first.token('officer', { centre: 'NRB-GPO' });
    expect((await setMode(first, operator, { mode: 'manual', reason: 'planned outage' })).status).toBe(200);
    await submitWaves([first], officer, N);
    expect(agency.stats().calls).toBe(0);

    // Paused: back in auto, nothing is replayed until resumed.
    expect((await post(first, operator, '/v1/agencies/nrb/replay/pause')).status).toBe(200);
    expect((await setMode(first, operator, { mode: 'auto', reason: 'outage over' })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(agency.stats().calls).toBe(0);

    agency.setMode('slow', { delayMs: 60 });
    const resumed = await post(first, operator, '/v1/agencies/nrb/replay/resume');
    expect((await json(resumed)).replay.paused).toBe(false);
    await eventually(async () => agency.stats().accepted, (n) => n >= 5, 15_000, 20);
    await first.close();
    first = undefined;
    const reachedBeforeRestart = agency.stats().accepted;
    expect(reachedBeforeRestart).toBeLessThan(N);

    second = await deploy.start(agency.url);
    await eventually(() => countWhere(db, `fallback = 'store-and-forward' AND state = 'completed'`), (n) => n === N, 30_000, 100);
    const { rows } = await db.pool.query<{ id: string }>(`SELECT id FROM transactions ORDER BY created_at, id`);
    const stats = agency.stats();
    expect(stats.accepted).toBe(N);
    expect(stats.order).toEqual(rows.map((r) => r.id));
    expect(Object.values(stats.byKey).every((times) => times === 1)).toBe(true);
    const { rows: paused } = await db.pool.query<{ type: string; actor: string }>(
      `SELECT type, actor FROM audit_events WHERE entity_id = 'nrb' AND type LIKE 'replay_%' ORDER BY occurred_at`,
    );
    expect(paused).toEqual([
      { type: 'replay_paused', actor: 'ops-kamau' },
      { type: 'replay_resumed', actor: 'ops-kamau' },
    ]);
  });
});
