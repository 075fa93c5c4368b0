import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mintDevToken } from '../../gateway/src/auth';
import { loadConfig } from '../../gateway/src/config/env.schema';
import { MODE_CACHE_MS } from '../../core/agencies/agency-modes';
import { PROVISIONAL_REFERENCE } from '../../core/transactions/domain/provisional-reference';
import { sentAtOf } from '../../core/transactions/domain/transaction-events';
import { startRestAgency, type RestAgencySimulator, type RestAgencyStats } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';
import { FAST_CATALOGUE, eventually } from '../factories/app';
import { startGatewayProcess, type GatewayProcess } from '../factories/gateway-process';
import { json, nrbEnvelope, type JsonBody } from './transactions.helpers';

/**
 * Issue 4 with real processes: api and worker replicas are separate `node` processes on one
 * PostgreSQL (production mode, no Redis: each process has its own in-process queue; the agency
 * mode, the backlog and the replay lease live in the database, which is what crosses processes).
 */

/** One deployment: a database, a simulated NRB, and the environment every process shares. */
interface Deployment {
  db: TestDatabase;
  agency: RestAgencySimulator;
  dir: string;
  env: NodeJS.ProcessEnv;
  processes: GatewayProcess[];
  token(role: 'operator' | 'officer', subject: string): Promise<string>;
  start(role: 'api' | 'worker', extraEnv?: NodeJS.ProcessEnv): Promise<GatewayProcess>;
  close(): Promise<void>;
}

async function deploy(perSecond?: number): Promise<Deployment> {
  const db = await createTestDatabase();
  const agency = await startRestAgency({ referencePrefix: 'NRB' });
  const dir = mkdtempSync(path.join(tmpdir(), 'kiungo-fallback-proc-'));
  let catalogueDir = FAST_CATALOGUE;
  if (perSecond !== undefined) {
    // A copy of the fast catalogue with a slower replay, so a kill lands half-way through it.
    catalogueDir = path.join(dir, 'catalogue');
    cpSync(FAST_CATALOGUE, catalogueDir, { recursive: true });
    const file = path.join(catalogueDir, 'nrb', 'agency.json');
    const nrb = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...nrb, replay: { ...nrb.replay, perSecond } }, null, 2));
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: db.url,
    DB_POOL_MAX: '5',
    KIUNGO_DEV_TOKENS: '1',
    KIUNGO_DATA_KEY: randomBytes(32).toString('base64'),
    KIUNGO_DATA_DIR: path.join(dir, 'data'),
    KIUNGO_CATALOGUE_DIR: catalogueDir,
    NRB_BASE_URL: agency.url,
    LOG_LEVEL: 'warn',
    KIUNGO_SWEEP_INTERVAL_MS: '1000',
  };
  const config = loadConfig(env);
  const processes: GatewayProcess[] = [];
  return {
    db,
    agency,
    dir,
    env,
    processes,
    // Minting first also creates the shared dev signing key before any process races to.
    token: (role, subject) => mintDevToken({ role, subject, ...(role === 'officer' ? { centre: 'NRB-GPO' } : {}) }, config),
    start: async (role, extraEnv = {}) => {
      const started = await startGatewayProcess(role, { ...env, ...extraEnv });
      processes.push(started);
      return started;
    },
    close: async () => {
      await Promise.all(processes.map((p) => p.kill()));
      await agency.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function setMode(api: GatewayProcess, token: string, mode: 'auto' | 'manual', reason: string): Promise<Response> {
  return fetch(`${api.url}/v1/agencies/nrb/mode`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ mode, reason }),
  });
}

async function effectiveMode(api: GatewayProcess, token: string): Promise<string> {
  const body = await fetch(`${api.url}/v1/agencies/nrb`, { headers: { authorization: `Bearer ${token}` } }).then(json);
  return body.mode;
}

/**
 * Waits until `api` serves `mode` (each process reads the mode through a cache of at most
 * MODE_CACHE_MS), then as long again for the worker, which has no HTTP view of it: a worker with a
 * stale cache would still replay what arrives within that second.
 */
async function modeSeenByAll(api: GatewayProcess, token: string, mode: string): Promise<void> {
  await eventually(() => effectiveMode(api, token), (seen) => seen === mode, MODE_CACHE_MS * 3, 50);
  await new Promise((resolve) => setTimeout(resolve, MODE_CACHE_MS + 500));
}

/** Sessions of worker processes recording a replay outcome, blocked behind the test's lock on citizen_notices. */
async function workerSessionsWaitingOnALock(db: TestDatabase): Promise<number> {
  // Only the replay recording an outcome (with its citizen notice), not the notice sender, which
  // waits on the same table lock.
  return count(db, `SELECT count(*) AS n FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'kiungo-worker' AND wait_event_type = 'Lock'
        AND query LIKE '%INSERT INTO citizen_notices%'`);
}

/** `count` ID replacements, `concurrency` at a time, alternating between the api processes. */
async function submitAll(apis: GatewayProcess[], token: string, count: number, concurrency = 10): Promise<JsonBody[]> {
  const bodies: JsonBody[] = [];
  for (let start = 0; start < count; start += concurrency) {
    const wave = Array.from({ length: Math.min(concurrency, count - start) }, async (_, i) => {
      const n = start + i;
      const response = await fetch(`${apis[n % apis.length].url}/v1/transactions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify(nrbEnvelope({ idNumber: String(30000000 + n) })),
      });
      return { status: response.status, ...(await json(response)) };
    });
    bodies.push(...(await Promise.all(wave)));
  }
  return bodies;
}

async function count(db: TestDatabase, sql: string): Promise<number> {
  const { rows } = await db.pool.query<{ n: string }>(sql);
  return Number(rows[0].n);
}

/** Transaction ids in arrival order: what the agency must have received, in that order. */
async function arrivalOrder(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.pool.query<{ id: string }>(`SELECT id FROM transactions ORDER BY created_at, id`);
  return rows.map((r) => r.id);
}

/** When each call was made (the events that record one: sentAtOf), oldest first. */
async function replaySendTimes(db: TestDatabase): Promise<number[]> {
  const { rows } = await db.pool.query<{ type: string; occurred_at: Date; data: Record<string, unknown> }>(
    `SELECT type, occurred_at, data FROM audit_events WHERE entity_type = 'transaction'`,
  );
  return rows
    .map((row) => sentAtOf({ type: row.type, occurredAt: row.occurred_at, data: row.data })?.getTime())
    .filter((at): at is number => at !== undefined)
    .sort((a, b) => a - b);
}

/** The most sends found in any one-second window. */
function busiestSecond(times: number[]): number {
  let most = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last] - times[first] >= 1000) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

describeWithPostgres('manual fallback with real api and worker processes', () => {
  describe('agency forced to manual while 200 transactions arrive across two api processes', () => {
    const N = 200;
    let d: Deployment;

    beforeAll(async () => {
      d = await deploy();
    }, 60_000);

    afterAll(async () => {
      await d?.close();
    });

    it('stores all 200 with provisional references, then replays each once, in order, at the configured rate, notifying each citizen once', async () => {
      const operator = await d.token('operator', 'ops-njeri');
      const officer = await d.token('officer', 'officer-kiprop');
      const [apiA, apiB] = await Promise.all([d.start('api'), d.start('api'), d.start('worker')]);

      expect((await setMode(apiA, operator, 'manual', 'NRB platform down since 08:30')).status).toBe(200);
      // The other api process reads the mode from PostgreSQL through a cache of at most a second.
      await modeSeenByAll(apiB, operator, 'manual');

      const stored = await submitAll([apiA, apiB], officer, N);
      expect(stored.map((s) => s.status)).toEqual(Array(N).fill(202));
      for (const body of stored) {
        expect(body).toMatchObject({ state: 'manual', fallback: 'store-and-forward', replayPending: true });
        expect(body.provisionalReference).toMatch(PROVISIONAL_REFERENCE);
      }
      expect(new Set(stored.map((s) => s.provisionalReference)).size).toBe(N);
      expect(await count(d.db, `SELECT count(*) AS n FROM transactions WHERE state = 'manual' AND replay_pending`)).toBe(N);
      expect(d.agency.stats().calls).toBe(0);

      expect((await setMode(apiB, operator, 'auto', 'NRB back up')).status).toBe(200);
      await eventually(() => count(d.db, `SELECT count(*) AS n FROM transactions WHERE state = 'completed'`), (n) => n === N, 45_000, 200);

      const stats = d.agency.stats();
      expect(stats.accepted).toBe(N);
      expect(stats.duplicates).toBe(0);
      expect(Object.values(stats.byKey).every((times) => times === 1)).toBe(true);
      expect(stats.order).toEqual(await arrivalOrder(d.db));

      // perSecond is 50 in the fast catalogue: the pacing allows at most 51 sends in any second.
      const sent = await replaySendTimes(d.db);
      expect(sent).toHaveLength(N);
      // 50/s configured; the send times are audit timestamps taken around each call, so allow the
      // jitter of a loaded box (10 %), not a burst.
      expect(busiestSecond(sent)).toBeLessThanOrEqual(56);
      expect(sent[N - 1] - sent[0]).toBeGreaterThanOrEqual(((N - 1) / 50) * 1000 * 0.95);

      expect(await count(d.db, `SELECT count(*) AS n FROM citizen_notices WHERE kind = 'transaction-completed'`)).toBe(N);
      expect(await count(d.db, `SELECT count(DISTINCT transaction_id) AS n FROM citizen_notices WHERE kind = 'transaction-completed'`)).toBe(N);
      // The worker sent each notice once through the SMS driver (the recording driver here).
      await eventually(() => count(d.db, `SELECT count(*) AS n FROM citizen_notices WHERE status = 'sent'`), (n) => n === N, 15_000, 100);
      expect(await count(d.db, `SELECT count(*) AS n FROM notifications WHERE template = 'transaction-completed'`)).toBe(N);
    }, 80_000);
  });

  describe('replay interrupted by killing the worker', () => {
    const N = 100;
    let d: Deployment;

    beforeAll(async () => {
      d = await deploy(20);
    }, 60_000);

    afterAll(async () => {
      await d?.close();
    });

    it('continues where the killed worker stopped, with no second application at the agency', async () => {
      const operator = await d.token('operator', 'ops-njeri');
      const officer = await d.token('officer', 'officer-kiprop');
      const [api, firstWorker] = await Promise.all([d.start('api'), d.start('worker')]);
      expect((await setMode(api, operator, 'manual', 'planned NRB outage')).status).toBe(200);
      await modeSeenByAll(api, operator, 'manual');
      await submitAll([api], officer, N);
      expect(d.agency.stats().calls).toBe(0);

      expect((await setMode(api, operator, 'auto', 'outage over')).status).toBe(200);
      await eventually(async () => d.agency.stats().accepted, (n) => n >= 20, 20_000, 10);
      // Kill the worker at the worst moment, deterministically: the agency has taken an
      // application and the worker is recording that outcome. Holding a lock on citizen_notices
      // stalls the recording there; then the process dies, and its database sessions with it.
      const blocker = await d.db.pool.connect();
      let beforeKill: RestAgencyStats;
      try {
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE citizen_notices IN SHARE MODE');
        await eventually(() => workerSessionsWaitingOnALock(d.db), (n) => n === 1, 10_000, 20);
        await firstWorker.kill();
        beforeKill = d.agency.stats();
        // Only this test's database: other suites' workers may share the server.
        await d.db.pool.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'kiungo-worker'`,
        );
      } finally {
        await blocker.query('ROLLBACK');
        blocker.release();
      }
      expect(beforeKill.accepted).toBeGreaterThanOrEqual(20);
      expect(beforeKill.accepted).toBeLessThan(N);
      expect(beforeKill.duplicates).toBe(0);
      expect(await arrivalOrder(d.db).then((ids) => ids.slice(0, beforeKill.accepted))).toEqual(beforeKill.order);
      const interrupted = beforeKill.order.at(-1);

      // The dead worker's lease (timeoutMs + 5 s) runs out; the new worker takes over from there.
      await d.start('worker');
      await eventually(() => count(d.db, `SELECT count(*) AS n FROM transactions WHERE state = 'completed'`), (n) => n === N, 40_000, 200);

      // Every citizen gets the notice, including the one whose completion the kill interrupted.
      expect(await count(d.db, `SELECT count(*) AS n FROM citizen_notices WHERE kind = 'transaction-completed'`)).toBe(N);
      const stats = d.agency.stats();
      expect(stats.accepted).toBe(N);
      expect(stats.order).toEqual(await arrivalOrder(d.db));
      // Only the interrupted transaction is sent again, with the same key: the agency answers it
      // with the application it already created.
      expect(stats.duplicates).toBe(1);
      expect(Object.entries(stats.byKey).filter(([, times]) => times > 1)).toEqual([[interrupted, 2]]);
      expect(await count(d.db, `SELECT count(*) AS n FROM audit_events WHERE type = 'completed'`)).toBe(N);
      expect(await count(d.db, `SELECT count(DISTINCT entity_id) AS n FROM audit_events WHERE type = 'completed'`)).toBe(N);
    }, 80_000);
  });
});
