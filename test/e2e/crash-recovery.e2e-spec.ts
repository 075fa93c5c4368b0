import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mintDevToken } from '../../gateway/src/auth';
import { loadConfig } from '../../gateway/src/config/env.schema';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { eventually } from '../factories/app';
import { freePort, startGatewayProcess, testGatewayEnv, type GatewayProcess } from '../factories/gateway-process';
import { nrbEnvelope } from './transactions.helpers';

/**
 * The gateway process is SIGKILLed after the transaction was recorded and while its agency call
 * was still unanswered. A new process (same database) finishes it: the sweeper finds the overdue
 * row and the retry reaches the agency with the same idempotency key, creating one application.
 */
describe('a gateway killed between recording and dispatch', () => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let child: GatewayProcess | undefined;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    dataDir = mkdtempSync(path.join(tmpdir(), 'kiungo-crash-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = { ...testGatewayEnv({ databaseUrl: db.url, dataDir, nrbUrl: agency.url }), HOST: '127.0.0.1', PORT: String(port) };
  });

  afterAll(async () => {
    await child?.kill();
    await agency?.close();
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('completes the transaction after a restart, and the agency creates one application', async () => {
    child = await startGatewayProcess('all', env);
    const token = await mintDevToken({ role: 'officer', centre: 'NRB-GPO', subject: 'crash-officer' }, loadConfig(env));
    agency.setMode('hang');

    const pending = fetch(`${url}/v1/transactions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'crash-1' },
      body: JSON.stringify(nrbEnvelope()),
    }).catch((error: Error) => error);
    await eventually(async () => agency.stats().hanging, (n) => n === 1, 10_000, 20);

    const { rows } = await db.pool.query<{ id: string; state: string }>('SELECT id, state FROM transactions');
    expect(rows).toHaveLength(1);
    expect(rows[0].state).toBe('received');
    const id = rows[0].id;

    await child.kill();
    // The caller got no answer: its connection died with the process.
    expect(await pending).not.toHaveProperty('status');
    agency.setMode('healthy');

    child = await startGatewayProcess('all', env);
    const done = await eventually(
      async () => (await db.pool.query<{ state: string; agency_ref: string | null }>('SELECT state, agency_ref FROM transactions WHERE id = $1', [id])).rows[0],
      (row) => row.state === 'completed',
      20_000,
      200,
    );
    expect(done.agency_ref).toMatch(/^NRB-/);
    expect(agency.stats().accepted).toBe(1);
    expect(agency.stats().order).toEqual([id]);
    const events = await db.pool.query<{ type: string; actor: string; data: Record<string, unknown> }>(
      `SELECT type, actor, data FROM audit_events WHERE entity_id = $1 ORDER BY occurred_at, seq`,
      [id],
    );
    // The call lost in the crash left nothing; the worker's call is its outcome's event.
    expect(events.rows.map((e) => e.type)).toEqual(['received', 'completed']);
    expect(events.rows.at(-1)).toMatchObject({ actor: 'system:worker', data: { sentAt: expect.any(String), inline: false } });
    await child.stop();
    child = undefined;
  }, 60_000);
});
