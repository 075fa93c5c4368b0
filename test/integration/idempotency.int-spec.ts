import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { fingerprintOf, type IdempotentRequest, type StoredAnswer } from '../../core/idempotency/domain/idempotent-request';
import { PgIdempotencyRepository } from '../../core/idempotency/pg/idempotency.pg-repository';
import { RunOnce } from '../../core/idempotency/use-cases/run-once';
import { DomainError } from '../../core/shared/errors';
import { createTestDatabase, type TestDatabase } from '../factories/database';

/**
 * The one owner of Idempotency-Key, on the real database and without HTTP: the key is claimed
 * before the request runs, so twins sent together run once and get one answer.
 */
describe('RunOnce (Idempotency-Key claimed before the request runs)', () => {
  let db: TestDatabase;
  let keys: PgIdempotencyRepository;
  let runOnce: RunOnce;

  beforeAll(async () => {
    db = await createTestDatabase({ poolMax: 8 });
    keys = new PgIdempotencyRepository(db.pool);
    runOnce = new RunOnce(keys, { waitMs: 5000, staleAfterMs: 60_000 });
  });

  afterAll(async () => {
    await db?.close();
  });

  const request = (body: unknown, key = randomUUID()): IdempotentRequest => ({
    scope: 'channel-portal',
    key,
    route: 'POST /v1/bookings',
    fingerprint: fingerprintOf(body),
  });
  const storedRow = async (req: IdempotentRequest) =>
    (await db.pool.query('SELECT status, body FROM idempotency_keys WHERE scope = $1 AND key = $2', [req.scope, req.key])).rows[0];

  it('runs twins sent at once exactly once; the twin waits and gets the same answer', async () => {
    const req = request({ slot: '09:00' });
    let runs = 0;
    const work = async (): Promise<StoredAnswer> => {
      runs += 1;
      await sleep(150); // long enough for the twin to find the key claimed and in progress
      return { status: 201, body: { reference: `K7QM-${runs}` } };
    };
    const results = await Promise.all([runOnce.run(req, work), runOnce.run(req, work), runOnce.run(req, work)]);
    expect(runs).toBe(1);
    expect(results.map((r) => r.answer)).toEqual(Array(3).fill({ status: 201, body: { reference: 'K7QM-1' } }));
    expect(results.filter((r) => r.replayed)).toHaveLength(2);
    expect(await storedRow(req)).toEqual({ status: 201, body: { reference: 'K7QM-1' } });
  });

  it('refuses the key with another request, with the one error, and runs nothing', async () => {
    const first = request({ slot: '09:00' });
    await runOnce.run(first, async () => ({ status: 201, body: { ok: true } }));
    const other = { ...first, fingerprint: fingerprintOf({ slot: '10:00' }) };
    let ran = false;
    const refused = runOnce.run(other, async () => {
      ran = true;
      return { status: 201, body: {} };
    });
    await expect(refused).rejects.toMatchObject({ category: 'invalid', code: 'idempotency-key-reused' });
    await expect(runOnce.run({ ...first, route: 'POST /v1/transactions' }, async () => ({ status: 200, body: {} }))).rejects.toMatchObject({
      code: 'idempotency-key-reused',
    });
    expect(ran).toBe(false);
  });

  it('frees the key when the request fails: nothing is stored, and a repeat runs again', async () => {
    const req = request({ slot: '11:00' });
    await expect(
      runOnce.run(req, async () => {
        throw new DomainError('conflict', 'slot-full', 'The slot is full.');
      }),
    ).rejects.toMatchObject({ code: 'slot-full' });
    expect(await storedRow(req)).toBeUndefined();
    const again = await runOnce.run(req, async () => ({ status: 201, body: { second: true } }));
    expect(again).toEqual({ answer: { status: 201, body: { second: true } }, replayed: false });
  });

  it('lets a waiting twin run by itself when the first fails', async () => {
    const req = request({ slot: '12:00' });
    const failing = runOnce.run(req, async () => {
      await sleep(100);
      throw new Error('database went away');
    });
    await sleep(20);
    const twin = runOnce.run(req, async () => ({ status: 201, body: { by: 'twin' } }));
    await expect(failing).rejects.toThrow('database went away');
    await expect(twin).resolves.toEqual({ answer: { status: 201, body: { by: 'twin' } }, replayed: false });
  });

  it('takes over a claim whose process died, once it is stale', async () => {
    const req = request({ slot: '13:00' });
    await db.pool.query(`INSERT INTO idempotency_keys (scope, key, route, request_hash, claimed_at) VALUES ($1, $2, $3, $4, now() - interval '10 minutes')`, [
      req.scope,
      req.key,
      req.route,
      req.fingerprint,
    ]);
    await expect(runOnce.run(req, async () => ({ status: 201, body: { recovered: true } }))).resolves.toMatchObject({ replayed: false });
  });

  it('tells a twin to come back when the first runs longer than it may wait', async () => {
    const impatient = new RunOnce(keys, { waitMs: 100, staleAfterMs: 60_000 });
    const req = request({ slot: '14:00' });
    const slow = impatient.run(req, async () => {
      await sleep(400);
      return { status: 201, body: {} };
    });
    await sleep(20);
    await expect(impatient.run(req, async () => ({ status: 201, body: {} }))).rejects.toMatchObject({
      category: 'conflict',
      code: 'idempotency-request-in-progress',
      details: { retryAfterSeconds: 1 },
    });
    await slow;
  });
});
