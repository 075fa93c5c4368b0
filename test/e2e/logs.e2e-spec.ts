import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mintDevToken } from '../../gateway/src/auth';
import { loadConfig } from '../../gateway/src/config/env.schema';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { eventually } from '../factories/app';
import { startGatewayProcess, testGatewayEnv, type GatewayProcess } from '../factories/gateway-process';
import { nrbEnvelope } from './transactions.helpers';

type Line = Record<string, unknown>;

/**
 * The logs as a real process writes them (issue 12 item 2): JSON lines on stdout, one per request
 * and one per agency call, each with a correlation id — the caller's for what it caused inline,
 * the transaction id for the worker's retries (the key the agency receives) — and never the
 * citizen's ID number or phone.
 */
describe('log lines of a gateway process', () => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let dataDir: string;
  let gateway: GatewayProcess;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    dataDir = mkdtempSync(path.join(tmpdir(), 'kiungo-logs-'));
    env = testGatewayEnv({ databaseUrl: db.url, dataDir, nrbUrl: agency.url, logLevel: 'info' });
    gateway = await startGatewayProcess('all', env, 60_000);
  }, 90_000);

  afterAll(async () => {
    await gateway?.stop();
    await agency?.close();
    await db?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const lines = (): Line[] =>
    gateway
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Line);

  it('writes a request line and an agency-call line under the caller\'s correlation id, and the retries under the transaction id', async () => {
    const token = await mintDevToken({ role: 'officer', centre: 'NRB-GPO', subject: 'logs-officer' }, loadConfig(env));
    const submit = (correlationId: string) =>
      fetch(`${gateway.url}/v1/transactions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID(), 'x-correlation-id': correlationId },
        body: JSON.stringify(nrbEnvelope()),
      });

    const accepted = await submit('logs-accepted-1');
    expect(accepted.status).toBe(200);
    agency.failNext(1);
    const retried = await submit('logs-retried-2');
    expect(retried.status).toBe(202);
    const retriedId = ((await retried.json()) as { id: string }).id;
    // The worker's retry reaches the agency and is logged.
    const retryLine = await eventually(
      async () => lines().find((l) => l.msg === 'agency call' && l.transactionId === retriedId && l.inline === false),
      (found) => found !== undefined,
      15_000,
      100,
    );

    const all = lines();
    for (const line of all) {
      expect(typeof line.level).toBe('string');
      expect(typeof line.time).toBe('string');
    }
    const requestLines = all.filter((l) => l.msg === 'request' && l.route === '/v1/transactions');
    expect(requestLines.map((l) => [l.correlationId, l.status])).toEqual([
      ['logs-accepted-1', 200],
      ['logs-retried-2', 202],
    ]);
    const inlineCalls = all.filter((l) => l.msg === 'agency call' && l.inline === true);
    expect(inlineCalls.map((l) => [l.correlationId, l.level, l.agency, l.operation, l.outcome])).toEqual([
      ['logs-accepted-1', 'info', 'nrb', 'submit', 'accepted'],
      ['logs-retried-2', 'warn', 'nrb', 'submit', 'unavailable'],
    ]);
    expect(retryLine).toMatchObject({ level: 'info', correlationId: retriedId, outcome: 'accepted', context: 'AgencyCall' });
    // One line per call the agency received, no more, no fewer.
    const submitLines = all.filter((l) => l.msg === 'agency call' && l.operation === 'submit');
    expect(submitLines).toHaveLength(agency.stats().calls);
    expect(gateway.output()).not.toMatch(/12345678|254712345678/);
  });
});
