import crypto from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Clock } from '../../core/shared/clock';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { FAST_CATALOGUE, startTestApp, type TestApp } from '../factories/app';
import { setMode } from './manual-fallback.helpers';
import { getTransaction, json, nrbEnvelope, submit, type JsonBody } from './transactions.helpers';

/**
 * The system clock, one millisecond further on at every reading: two readings in one request never
 * give the same instant, as the real clock's do not when a millisecond ends between them. What a
 * submit answers is built from the request's own data, not read back (issue 13), so any time it
 * takes from a second reading instead of the one it stored shows here.
 */
class TickingClock extends Clock {
  private readings = 0;

  now(): Date {
    return new Date(Date.now() + ++this.readings);
  }
}

/** The transaction as POST answered it, next to GET's: the same fields (GET adds the history). */
function asRead(posted: JsonBody): JsonBody {
  const { statusUrl, ...rest } = posted;
  expect(statusUrl).toBe(`/v1/transactions/${posted.id}`);
  return rest;
}

function withoutHistory(read: JsonBody): JsonBody {
  const { history, ...rest } = read;
  expect(Array.isArray(history)).toBe(true);
  return rest;
}

/**
 * A submit's answer (and the copy stored for a repeat of its Idempotency-Key) says what a later
 * GET /v1/transactions/{id} says, field for field and masked alike, on each way a submit ends.
 */
describe('a submit answers the transaction as it is read afterwards', () => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let app: TestApp;
  let officer: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    app = await startTestApp({ databaseUrl: db.url, endpointOverrides: { nrb: agency.url }, clock: new TickingClock() });
    officer = await app.token('officer', { centre: 'NRB-GPO' });
  });

  afterAll(async () => {
    await app?.close();
    await agency?.close();
    await db?.close();
  });

  async function postedAndRead(key: string): Promise<{ posted: JsonBody; read: JsonBody; replayed: JsonBody }> {
    const response = await submit(app, officer, nrbEnvelope(), key);
    expect([200, 202]).toContain(response.status);
    const posted = await json(response);
    const read = await getTransaction(app, officer, posted.id);
    const repeat = await submit(app, officer, nrbEnvelope(), key);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    return { posted, read, replayed: await json(repeat) };
  }

  it('answered inline by the agency', async () => {
    agency.setMode('healthy');
    const { posted, read, replayed } = await postedAndRead('inline-1');
    expect(posted.state).toBe('completed');
    expect(asRead(posted)).toEqual(withoutHistory(read));
    expect(replayed).toEqual(posted);
  });

  it('recorded straight as retrying while the breaker is open', async () => {
    agency.setMode('down');
    for (let i = 0; i < 3; i++) await submit(app, officer, nrbEnvelope(), `opening-${i}`);
    const { posted, read, replayed } = await postedAndRead('breaker-open-1');
    expect(posted).toMatchObject({ state: 'retrying', lastError: { code: 'breaker_open' } });
    expect(asRead(posted)).toEqual(withoutHistory(read));
    expect(replayed).toEqual(posted);
  });

  it('accepted under the fallback while the agency is in manual mode', async () => {
    const operator = await app.token('operator');
    expect((await setMode(app, operator, { mode: 'manual', reason: 'NRB down' })).status).toBe(200);
    try {
      const { posted, read, replayed } = await postedAndRead('fallback-1');
      expect(posted).toMatchObject({ state: 'manual', fallback: 'store-and-forward' });
      expect(asRead(posted)).toEqual(withoutHistory(read));
      expect(replayed).toEqual(posted);
    } finally {
      await setMode(app, operator, { mode: 'auto', reason: 'NRB back' });
    }
  });
});

/** The fast catalogue with one attempt per transaction: an inline failure ends the attempts at once. */
function oneAttemptCatalogue(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiungo-one-attempt-'));
  cpSync(FAST_CATALOGUE, dir, { recursive: true });
  const file = path.join(dir, 'nrb', 'agency.json');
  const agency = JSON.parse(readFileSync(file, 'utf8'));
  agency.retry.maxAttempts = 1;
  writeFileSync(file, JSON.stringify(agency, null, 2));
  return dir;
}

describe('a submit that ends in the backlog or a conflict answers it as it is read afterwards', () => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let app: TestApp;
  let officer: string;
  let catalogueDir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    catalogueDir = oneAttemptCatalogue();
    agency = await startRestAgency({ referencePrefix: 'NRB', fixedReference: 'NRB-SAME-1' });
    app = await startTestApp({ databaseUrl: db.url, endpointOverrides: { nrb: agency.url }, catalogueDir, clock: new TickingClock() });
    officer = await app.token('officer', { centre: 'NRB-GPO' });
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    await app?.close();
    await agency?.close();
    await db?.close();
    if (catalogueDir) rmSync(catalogueDir, { recursive: true, force: true });
  });

  async function postedAndRead(key: string): Promise<{ posted: JsonBody; read: JsonBody; replayed: JsonBody }> {
    const response = await submit(app, officer, nrbEnvelope(), key);
    const posted = await json(response);
    expect([200, 202]).toContain(response.status);
    const read = await getTransaction(app, officer, posted.id);
    const repeat = await submit(app, officer, nrbEnvelope(), key);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    return { posted, read, replayed: await json(repeat) };
  }

  it('flagged conflict: the agency gave its reference to an earlier transaction', async () => {
    agency.setMode('healthy');
    expect((await postedAndRead('dup-first')).posted.state).toBe('completed');
    const { posted, read, replayed } = await postedAndRead('dup-second');
    expect(posted.state).toBe('conflict');
    expect(asRead(posted)).toEqual(withoutHistory(read));
    expect(replayed).toEqual(posted);
  });

  it('into the backlog with a provisional reference drawn again because the first draw was taken', async () => {
    agency.setMode('down');
    // Every symbol of a provisional reference is one randomInt(30) (provisionalReference): the test
    // decides the draws, so that the second transaction's first draw is the first one's reference.
    const draws: number[] = [];
    const randomInt = crypto.randomInt.bind(crypto) as (max: number) => number;
    jest.spyOn(crypto, 'randomInt').mockImplementation(((...args: [number]) => (args.length === 1 && args[0] === 30 && draws.length > 0 ? draws.shift()! : randomInt(...args))) as never);

    draws.push(...Array(6).fill(0));
    const first = await postedAndRead('backlog-first');
    expect(first.posted).toMatchObject({ state: 'manual', provisionalReference: 'NRB-2222-22' });

    draws.push(...Array(6).fill(0), ...Array(6).fill(1));
    const { posted, read, replayed } = await postedAndRead('backlog-second');
    expect(draws).toEqual([]);
    expect(read.provisionalReference).toBe('NRB-3333-33');
    expect(asRead(posted)).toEqual(withoutHistory(read));
    expect(replayed).toEqual(posted);
  });
});
