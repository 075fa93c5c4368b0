import { createTestDatabase, type TestDatabase } from '../factories/database';
import { eventually, startTestApp, type TestApp } from '../factories/app';
import { modePropagation } from '../factories/metrics';
import { describeWithRedis } from '../factories/services';
import { json } from './transactions.helpers';

/**
 * Two api replicas on one database and one Redis (README "Events between replicas"): a mode
 * switched on A reaches B as an event on the bus, B hears it within 100 ms (the delay B measured
 * between A's publish and its own delivery, read from B's metrics), and B's next answer is the new
 * mode, although B had just cached the old one.
 */
describeWithRedis('agency mode switches across api replicas', (redisUrl) => {
  let db: TestDatabase;
  let replicaA: TestApp;
  let replicaB: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    replicaA = await startTestApp({ databaseUrl: db.url, redisUrl, role: 'api' });
    replicaB = await startTestApp({ databaseUrl: db.url, redisUrl, role: 'api' });
  });

  afterAll(async () => {
    await replicaA?.close();
    await replicaB?.close();
    await db?.close();
  });

  it('a switch on one replica is heard by the other within 100 ms and honoured on its next read', async () => {
    const operatorA = await replicaA.token('operator');
    const operatorB = await replicaB.token('operator');
    const modeOnB = async () => (await json(await fetch(`${replicaB.url}/v1/agencies/nrb`, { headers: { authorization: `Bearer ${operatorB}` } }))).mode;
    expect(await modeOnB()).toBe('auto'); // B now holds "auto" in its cache
    expect(await modePropagation(replicaB.metricsUrl(), 'nrb')).toEqual({ heard: 0, within100ms: 0 });

    const switched = await fetch(`${replicaA.url}/v1/agencies/nrb/mode`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${operatorA}`, 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'manual', reason: 'NRB system down since 09:10' }),
    });
    expect(switched.status).toBe(200);

    const heard = await eventually(() => modePropagation(replicaB.metricsUrl(), 'nrb'), (p) => p.heard >= 1, 5_000, 5);
    expect(heard).toEqual({ heard: 1, within100ms: 1 });
    expect(await modeOnB()).toBe('manual');
  });
});
