import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';
import { eventually, type TestApp } from '../factories/app';
import { json, type JsonBody } from './transactions.helpers';
import { countWhere, deployment, setMode, submitWaves, type Deployment } from './manual-fallback.helpers';

const N = 24;

/**
 * Issue 10, bulk replay as a task (like OpenHIM's re-runs): a dry run lists what would be put
 * back and changes nothing; a task puts parked transactions back in their agency's backlog a batch
 * at a time, can be paused, survives a restart of the process (the new worker claims it and goes
 * on from its cursor), and a cancelled task leaves the rest where it was. Every step is audited.
 */
describeWithPostgres('bulk replay tasks', () => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let deploy: Deployment;
  let app: TestApp | undefined;
  let operator: string;
  let officer: string;

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: JsonBody }> => {
    const response = await fetch(`${app!.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${operator}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await json(response) };
  };
  const startTask = (body: unknown) => call('POST', '/v1/replay-tasks', body, { 'idempotency-key': randomUUID() });
  const task = async (id: string) => (await call('GET', `/v1/replay-tasks/${id}`)).body;
  const taskEvents = async (id: string) =>
    (await db.pool.query<{ type: string; actor: string }>(`SELECT type, actor FROM audit_events WHERE entity_id = $1 ORDER BY occurred_at, seq`, [id])).rows;
  const requestedBy = async (taskId: string) =>
    (await db.pool.query<{ entity_id: string }>(`SELECT entity_id FROM audit_events WHERE type = 'replay_requested' AND data->>'task' = $1`, [taskId])).rows.map((r) => r.entity_id);

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    deploy = deployment(db);
    app = await deploy.start(agency.url);
    operator = await app.token('operator', { subject: 'ops-wanjiru' });
    officer = await app.token('officer', { centre: 'NRB-GPO' });
    // A backlog of a service the agency cannot take (sent with PUT, answered 404): each replay is parked as malformed.
    expect((await setMode(app, operator, { mode: 'manual', reason: 'NRB down' })).status).toBe(200);
    await submitWaves([app], officer, N, 8, 'id-card-legacy-renewal');
    expect((await setMode(app, operator, { mode: 'auto', reason: 'NRB back' })).status).toBe(200);
    await eventually(() => countWhere(db, `state = 'parked'`), (n) => n === N, 30_000, 100);
  });

  afterAll(async () => {
    await app?.close();
    await agency?.close();
    await db?.close();
    if (deploy) rmSync(deploy.dataDir, { recursive: true, force: true });
  });

  it('lists in a dry run what a task would put back, changing nothing; refuses a bad body with the fields named', async () => {
    const dry = await call('POST', '/v1/replay-tasks/dry-run', { filters: { agency: 'nrb', reason: 'HTTP_404' }, batchSize: 5, perSecond: 5 });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ total: N, batchSize: 5, perSecond: 5, etaSeconds: Math.ceil(N / 5) });
    expect(dry.body.items).toHaveLength(N);
    expect(dry.body.items[0]).toMatchObject({ agency: 'nrb', service: 'id-card-legacy-renewal', state: 'parked', reason: { code: 'HTTP_404' } });
    const none = await call('POST', '/v1/replay-tasks/dry-run', { filters: { reason: 'replay_failed' } });
    expect(none.body).toMatchObject({ total: 0, items: [] });
    expect(await countWhere(db, `state = 'parked'`)).toBe(N);

    const bad = await call('POST', '/v1/replay-tasks/dry-run', { batchSize: 0, filters: { states: ['completed'] } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['/batchSize', '/filters/states/0']);
    const officerTries = await fetch(`${app!.url}/v1/replay-tasks/dry-run`, { method: 'POST', headers: { authorization: `Bearer ${officer}` } });
    expect(officerTries.status).toBe(403);
  });

  it('runs a task a batch at a time; pause holds it; a new process carries on a task the old one was running', async () => {
    const created = await startTask({ filters: { agency: 'nrb', reason: 'HTTP_404' }, batchSize: 4, perSecond: 8 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'running', progress: { total: N, remaining: N }, createdBy: 'ops-wanjiru' });
    const id = created.body.id as string;
    await eventually(() => task(id), (t) => t.progress.batches >= 1, 10_000, 50);
    const paused = await call('POST', `/v1/replay-tasks/${id}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    expect((await call('POST', `/v1/replay-tasks/${id}/pause`)).status).toBe(409);
    const atPause = (await task(id)).progress;
    expect(atPause.requeued).toBeLessThan(N);

    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await task(id)).progress).toEqual(atPause);
    const resumed = await call('POST', `/v1/replay-tasks/${id}/resume`);
    expect(resumed.body.status).toBe('running');

    // The process goes away while the task runs; a new one on the same database claims it and goes on.
    await app!.close();
    const { rows } = await db.pool.query<{ left: number; status: string }>(`SELECT total - requeued - skipped AS left, status FROM replay_tasks WHERE id = $1`, [id]);
    expect(rows[0]).toMatchObject({ status: 'running' });
    expect(rows[0].left).toBeGreaterThan(0);
    app = await deploy.start(agency.url);
    const done = await eventually(() => task(id), (t) => t.status === 'completed', 30_000, 100);
    expect(done.progress).toMatchObject({ total: N, remaining: 0 });
    expect(done.progress.requeued + done.progress.skipped).toBe(N);
    expect(done.finishedAt).not.toBeNull();

    // Each transaction was put back once by this task, in the creator's name.
    const requeued = await requestedBy(id);
    expect(new Set(requeued).size).toBe(requeued.length);
    expect(requeued).toHaveLength(done.progress.requeued);
    const events = await taskEvents(id);
    expect(events[0]).toEqual({ type: 'replay_task_created', actor: 'ops-wanjiru' });
    expect(events.filter((e) => e.type === 'replay_task_paused' || e.type === 'replay_task_resumed')).toEqual([
      { type: 'replay_task_paused', actor: 'ops-wanjiru' },
      { type: 'replay_task_resumed', actor: 'ops-wanjiru' },
    ]);
    expect(events.filter((e) => e.type === 'replay_task_batch').length).toBe(done.progress.batches);
    // The agency still cannot take them: replayed, they are parked again, none is lost.
    await eventually(() => countWhere(db, `state = 'parked'`), (n) => n === N, 30_000, 100);
  });

  it('cancels a task: what it had not put back stays parked, nothing is lost; its Idempotency-Key sent again answers the same task', async () => {
    const body = { filters: { agency: 'nrb' }, batchSize: 2, perSecond: 1 };
    const key = randomUUID();
    const created = await call('POST', '/v1/replay-tasks', body, { 'idempotency-key': key });
    expect(created.status).toBe(201);
    expect(await call('POST', '/v1/replay-tasks', body, { 'idempotency-key': key })).toEqual(created);
    const id = created.body.id as string;
    await eventually(() => task(id), (t) => t.progress.batches >= 1, 10_000, 50);
    const cancelled = await call('POST', `/v1/replay-tasks/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', etaSeconds: null });
    expect((await call('POST', `/v1/replay-tasks/${id}/resume`)).status).toBe(409);
    const after = await task(id);
    expect(after.progress.requeued).toBeLessThan(N);
    expect(await requestedBy(id)).toHaveLength(after.progress.requeued);
    // Every transaction is either still parked or back in the backlog (and then parked again).
    await eventually(() => countWhere(db, `state = 'parked'`), (n) => n === N, 30_000, 100);
    expect(await countWhere(db, `state NOT IN ('parked', 'manual')`)).toBe(0);

    const list = await call('GET', '/v1/replay-tasks');
    expect(list.body.items.map((t: { id: string }) => t.id)[0]).toBe(id);
    expect((await call('GET', `/v1/replay-tasks/${randomUUID()}`)).status).toBe(404);
    expect((await call('GET', '/v1/replay-tasks/not-a-uuid')).status).toBe(422);
  });
});
