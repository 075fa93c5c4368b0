import { PROVISIONAL_REFERENCE } from '../../core/transactions/domain/provisional-reference';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithRedis } from '../factories/services';
import { eventually, startTestApp, type TestApp } from '../factories/app';
import { getTransaction, json, nrbEnvelope, submit } from './transactions.helpers';

/**
 * An agency that goes down and stays down: the breaker opens, later submissions are accepted in
 * milliseconds without calling the agency (refusals of our breaker are not attempts), and when
 * attempts run out the transactions wait in the replay backlog. Run with each retry-queue driver.
 */
function agencyDownSuite(driver: string, redisUrl?: string): void {
  describe(`an agency that stays down (${driver} queue)`, () => {
    let db: TestDatabase;
    let agency: RestAgencySimulator;
    let app: TestApp;
    let officer: string;
    let operator: string;

    beforeAll(async () => {
      db = await createTestDatabase();
      agency = await startRestAgency({ referencePrefix: 'NRB' });
      app = await startTestApp({ databaseUrl: db.url, endpointOverrides: { nrb: agency.url }, redisUrl });
      officer = await app.token('officer', { centre: 'NRB-GPO' });
      operator = await app.token('operator');
    });

    afterAll(async () => {
      await app?.close();
      await agency?.close();
      await db?.close();
    });

    it('opens the breaker, then accepts without calling the agency, and ends in manual', async () => {
      agency.setMode('down');
      const first: Array<{ id: string; state: string }> = [];
      for (let i = 0; i < 3; i += 1) {
        const response = await submit(app, officer, nrbEnvelope());
        expect(response.status).toBe(202);
        first.push(await json(response));
      }
      const agencies = await fetch(`${app.url}/v1/agencies`, { headers: { authorization: `Bearer ${operator}` } }).then(json);
      const nrb = agencies.items.find((a: { code: string }) => a.code === 'nrb');
      expect(nrb.breaker).toBe('open');
      expect(nrb.lastFailure.code).toBe('unavailable');

      const callsBefore = agency.stats().calls;
      const fast = await submit(app, officer, nrbEnvelope());
      expect(fast.status).toBe(202);
      const fastBody = await json(fast);
      expect(fastBody.state).toBe('retrying');
      expect(fastBody.lastError.code).toBe('breaker_open');
      expect(agency.stats().calls).toBe(callsBefore);
      // Recorded straight as the refusal's outcome, with the answer it sent (one statement, no agency call).
      const stored = await db.pool.query(`SELECT status, body FROM idempotency_keys WHERE body->>'id' = $1`, [fastBody.id]);
      expect(stored.rows).toEqual([{ status: 202, body: fastBody }]);
      const trail = await db.pool.query<{ type: string; data: Record<string, unknown> }>(`SELECT type, data FROM audit_events WHERE entity_id = $1 ORDER BY seq`, [fastBody.id]);
      // A refusal of our own breaker sent nothing: its event has no `sentAt`.
      expect(trail.rows.slice(0, 2).map((row) => row.type)).toEqual(['received', 'retrying']);
      expect(trail.rows[1].data).toMatchObject({ code: 'breaker_open', counted: false });
      expect(trail.rows[1].data).not.toHaveProperty('sentAt');

      // Refusals of our own breaker are not attempts (issue 10): each transaction ends after
      // maxAttempts real calls, and, its service being store-and-forward, joins the replay
      // backlog with a provisional reference instead of waiting for a person.
      const all = [...first, fastBody];
      for (const tx of all) {
        const done = await eventually(() => getTransaction(app, officer, tx.id), (t) => t.state === 'manual', 60_000, 200);
        expect(done.lastError.code).toBe('attempts_exhausted');
        const types = done.history.map((event: { type: string }) => event.type);
        // Each real call is its outcome's event, saying when it was sent; refusals of our breaker say nothing of the kind.
        expect(done.history.filter((event: { data: { sentAt?: string } }) => event.data.sentAt !== undefined)).toHaveLength(done.maxAttempts);
        expect(types).not.toContain('dispatched');
        expect(types.slice(-2)).toEqual(['manual', 'replay_requested']);
        expect(done).toMatchObject({ fallback: 'store-and-forward', replayPending: true, provisionalReference: expect.stringMatching(PROVISIONAL_REFERENCE) });
      }
      expect(agency.stats().accepted).toBe(0);
    }, 90_000);

    it('reports agencies with breaker, queue depth and open transactions', async () => {
      const response = await fetch(`${app.url}/v1/agencies`, { headers: { authorization: `Bearer ${operator}` } });
      expect(response.status).toBe(200);
      const nrb = (await json(response)).items.find((a: { code: string }) => a.code === 'nrb');
      expect(nrb).toMatchObject({ code: 'nrb', kind: 'rest', mode: 'auto', transactions: { manual: 4 } });
      expect(nrb.retryQueue).toEqual({ waiting: 0, delayed: 0, active: 0 });
      expect((await fetch(`${app.url}/v1/agencies`, { headers: { authorization: `Bearer ${officer}` } })).status).toBe(403);
    });

    it('is ready while the database (and Redis) answer', async () => {
      const ready = await fetch(`${app.url}/health/ready`);
      expect(ready.status).toBe(200);
      const body = await json(ready);
      expect(body.checks.database.status).toBe('up');
      if (redisUrl) expect(body.checks.redis.status).toBe('up');
      expect((await fetch(`${app.url}/health/live`)).status).toBe(200);
    });
  });
}

agencyDownSuite('in-process');
describeWithRedis('with BullMQ on Redis', (redisUrl) => agencyDownSuite('BullMQ', redisUrl));
