import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestApp, type TestApp, type TestAppOptions } from '../factories/app';
import type { TestDatabase } from '../factories/database';
import { json, nrbEnvelope, submit, type JsonBody } from './transactions.helpers';

/** Two "replicas" of one deployment: same database, same data key, same dev signing key. */
export interface Deployment {
  dataDir: string;
  dataKey: string;
  /** A replica; without `agencyUrl`, with the catalogue's own endpoints. */
  start(agencyUrl?: string, more?: Pick<TestAppOptions, 'clock' | 'env' | 'role'>): Promise<TestApp>;
}

export function deployment(db: TestDatabase): Deployment {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kiungo-fallback-'));
  const dataKey = randomBytes(32).toString('base64');
  return {
    dataDir,
    dataKey,
    start: (agencyUrl, more = {}) => startTestApp({ databaseUrl: db.url, endpointOverrides: agencyUrl ? { nrb: agencyUrl } : undefined, dataDir, dataKey, ...more }),
  };
}

export async function setMode(app: TestApp, token: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${app.url}/v1/agencies/nrb/mode`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export async function getAgency(app: TestApp, token: string): Promise<JsonBody> {
  return fetch(`${app.url}/v1/agencies/nrb`, { headers: { authorization: `Bearer ${token}` } }).then(json);
}

export async function post(app: TestApp, token: string, pathname: string, body: unknown = {}): Promise<Response> {
  return fetch(`${app.url}${pathname}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Submits `count` ID-replacement applications in waves of `wave`, alternating between the apps. */
export async function submitWaves(apps: TestApp[], token: string, count: number, wave = 10, service = 'id-card-replacement'): Promise<JsonBody[]> {
  const bodies: JsonBody[] = [];
  for (let start = 0; start < count; start += wave) {
    const batch = Array.from({ length: Math.min(wave, count - start) }, (_, i) => {
      const app = apps[(start + i) % apps.length];
      const idNumber = String(20000000 + start + i);
      return submit(app, token, { ...nrbEnvelope({ idNumber }), service }).then(async (response) => ({ status: response.status, ...(await json(response)) }));
    });
    bodies.push(...(await Promise.all(batch)));
  }
  return bodies;
}

export async function countWhere(db: TestDatabase, where: string, values: unknown[] = []): Promise<number> {
  const { rows } = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM transactions WHERE ${where}`, values);
  return Number(rows[0].n);
}

export async function auditEvents(db: TestDatabase, entityId: string, type: string): Promise<Array<{ actor: string; data: Record<string, unknown> }>> {
  const { rows } = await db.pool.query<{ actor: string; data: Record<string, unknown> }>(
    `SELECT actor, data FROM audit_events WHERE entity_id = $1 AND type = $2 ORDER BY occurred_at, seq`,
    [entityId, type],
  );
  return rows;
}
