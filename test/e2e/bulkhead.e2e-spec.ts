import path from 'node:path';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { eventually, startTestApp, type TestApp } from '../factories/app';
import { json, nrbEnvelope, submit, type JsonBody } from './transactions.helpers';

/**
 * Bulkheads (issue 3): one agency slowed to 10 s per call does not raise the latency of calls to
 * another. NRB (agency A) is slowed while 40 submissions are in flight to it, enough to fill its
 * bulkhead (8 calls) and its queue (16) and be refused beyond; Civil Registration (agency B) is
 * timed before and during, through the whole gateway (HTTP, database, audit, agency call).
 * The bounds are generous (p95 + 500 ms): the claim is "not queued behind A", not a benchmark.
 */
const CATALOGUE = path.resolve(__dirname, '..', 'fixtures', 'catalogue-bulkhead');
const SLOW_MS = 10_000;
const A_SUBMISSIONS = 40;
const B_SAMPLES = 20;

function crsEnvelope(i: number): Record<string, unknown> {
  const idNumber = String(30_000_000 + i);
  return {
    service: 'birth-certificate-copy',
    channel: 'counter',
    centre: 'NRB-GPO',
    citizen: { idNumber },
    payload: { idNumber, fullName: 'Njeri Mwangi', dateOfBirth: '1988-02-17', birthEntryNumber: String(100_000 + i), collectionCentre: 'NRB-GPO' },
  };
}

function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)];
}

describe('bulkhead: a slow agency does not slow the others', () => {
  let db: TestDatabase;
  let nrb: RestAgencySimulator;
  let crs: RestAgencySimulator;
  let app: TestApp;
  let officer: string;
  let operator: string;
  let sample = 0;

  /** Submits to agency B one at a time; each must complete inline. Returns the latencies in ms. */
  const timeAgencyB = async (count: number): Promise<number[]> => {
    const latencies: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const started = performance.now();
      const response = await submit(app, officer, crsEnvelope((sample += 1)));
      latencies.push(performance.now() - started);
      expect(response.status).toBe(200);
      expect((await json(response)).state).toBe('completed');
    }
    return latencies;
  };
  const agencyView = (code: string): Promise<JsonBody> =>
    fetch(`${app.url}/v1/agencies/${code}`, { headers: { authorization: `Bearer ${operator}` } }).then(json);

  beforeAll(async () => {
    db = await createTestDatabase();
    nrb = await startRestAgency({ referencePrefix: 'NRB' });
    crs = await startRestAgency({ referencePrefix: 'CRS' });
    app = await startTestApp({ databaseUrl: db.url, catalogueDir: CATALOGUE, endpointOverrides: { nrb: nrb.url, crs: crs.url } });
    officer = await app.token('officer', { centre: 'NRB-GPO' });
    operator = await app.token('operator');
  });

  afterAll(async () => {
    await app?.close();
    await nrb?.close();
    await crs?.close();
    await db?.close();
  });

  it('keeps agency B at its baseline latency while agency A takes 10 s per call', async () => {
    await timeAgencyB(3); // warm-up: connections, prepared code paths
    const baseline = await timeAgencyB(B_SAMPLES);

    nrb.setMode('slow', { delayMs: SLOW_MS });
    const started = performance.now();
    let answeredByA = 0;
    const toA = Array.from({ length: A_SUBMISSIONS }, () =>
      submit(app, officer, nrbEnvelope())
        .then(json)
        .finally(() => (answeredByA += 1)),
    );
    // A is saturated: its 8 slots busy with calls the simulator holds for 10 s, 16 more waiting
    // for a slot, and the rest already refused (answered 202). B is measured from then on.
    await eventually(() => agencyView('nrb'), (view) => view.inFlight === 8 && view.queued === 16, 5000, 20);
    await eventually(async () => answeredByA, (n) => n >= A_SUBMISSIONS - 8 - 16, 5000, 20);

    const crsCallsBefore = crs.stats().calls;
    const duringSlow = await timeAgencyB(B_SAMPLES);
    const aStillSlow = await agencyView('nrb');
    const elapsed = performance.now() - started;

    // The measurement happened while A's calls were still held, with nothing of B's waiting.
    expect(elapsed).toBeLessThan(SLOW_MS);
    expect(aStillSlow.inFlight).toBe(8);
    expect(await agencyView('crs')).toMatchObject({ inFlight: 0, queued: 0, breaker: 'closed', lastFailure: null });
    expect(crs.stats().calls - crsCallsBefore).toBe(B_SAMPLES);
    expect(p95(duringSlow)).toBeLessThan(p95(baseline) + 500);

    // A shed what its bulkhead could not hold at once, instead of letting it pile up.
    const answersFromA = await Promise.race([
      Promise.all(toA),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 0)),
    ]);
    expect(answersFromA).toBeNull(); // 24 of them are still in A's bulkhead
    await nrb.close(); // releases the held calls
    const settled = await Promise.all(toA);
    const refused = settled.filter((tx) => tx.lastError?.code === 'bulkhead_full');
    expect(refused.length).toBeGreaterThanOrEqual(A_SUBMISSIONS - 8 - 16);
    expect(settled.filter((tx) => typeof tx.id !== 'string')).toEqual([]); // every one recorded; else shows what came back
  }, 30_000);
});
