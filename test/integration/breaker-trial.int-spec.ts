/**
 * The worker does not churn while an agency's breaker is open (issue 13): with the agency down
 * and 50 transactions retrying, each trial period sends one trial and writes only its claim and
 * its outcome; the other transactions are neither claimed nor written (their jobs are put back
 * until the trial has ended). When the agency is back, all 50 complete, each sent once, and no
 * attempt was spent on a refusal of our own breaker.
 *
 * Real PostgreSQL, Redis (the BullMQ driver, as in production) and the REST simulator over HTTP;
 * the writes are counted by a subclass of the real repository (every claim and every outcome is
 * one UPDATE of `transactions`). A catalogue copy shortens the breaker's reset to 400 ms.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { BullMqRetryQueue } from '../../core/retry-queue/bullmq.retry-queue';
import type { Transaction } from '../../core/transactions/domain/transaction';
import { PgTransactionRepository } from '../../core/transactions/pg/transaction.pg-repository';
import type { ApplyOptions } from '../../core/transactions/transaction.repository';
import type { TransactionStep } from '../../core/transactions/domain/transaction';
import { wakeRetriesOnClose } from '../../gateway/src/worker/worker.service';
import { eventually, FAST_CATALOGUE } from '../factories/app';
import { describeWithRedis } from '../factories/services';
import { startTransactionsWorld, type TransactionsWorld } from '../factories/transactions-world';

const N = 50;
/** Trial periods watched while the agency stays down. */
const TRIALS = 4;
const RESET_MS = 400;

/** UPDATEs of `transactions` asked of the repository: claims of an attempt, and outcomes (steps). */
const writes = { claims: 0, outcomes: 0 };

class CountingTransactions extends PgTransactionRepository {
  override claimAttempt(id: string, leaseMs: number, at: Date): Promise<Transaction | null> {
    writes.claims += 1;
    return super.claimAttempt(id, leaseMs, at);
  }

  override apply(id: string, step: TransactionStep, options?: ApplyOptions): ReturnType<PgTransactionRepository['apply']> {
    writes.outcomes += 1;
    return super.apply(id, step, options);
  }
}

/** The fast test catalogue with a short breaker reset and room for many trials (attempts are not the subject here). */
function catalogueWithShortReset(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kiungo-trial-catalogue-'));
  cpSync(FAST_CATALOGUE, dir, { recursive: true });
  const file = path.join(dir, 'nrb', 'agency.json');
  const agency = JSON.parse(readFileSync(file, 'utf8'));
  agency.resilience.breaker.resetTimeoutMs = RESET_MS;
  agency.retry.maxAttempts = 50;
  writeFileSync(file, JSON.stringify(agency, null, 2));
  return dir;
}

describeWithRedis('retries wait for their breaker trial (worker on BullMQ, real database and agency)', (redisUrl) => {
  const prefix = `kiungo-test-trial-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const transitions: string[] = [];
  let world: TransactionsWorld;
  let catalogueDir: string;
  let stopWaking: () => void;
  let sweeping: NodeJS.Timeout;
  let sweeps: Promise<unknown> = Promise.resolve();

  beforeAll(async () => {
    catalogueDir = catalogueWithShortReset();
    const quiet = { warn: () => undefined, error: () => undefined };
    const retries = new BullMqRetryQueue({ redisUrl, prefix, logger: quiet });
    world = await startTransactionsWorld({ catalogueDir, retries, repository: CountingTransactions, sweep: { graceMs: 200, batch: 500 } });
    world.agencies.onBreakerChange((code, state) => {
      if (code === 'nrb') transitions.push(state);
    });
    // As the worker does (WorkerService): consume, wake on close, sweep at an interval.
    stopWaking = wakeRetriesOnClose(world.agencies, retries, () => undefined);
    await retries.consume((job) => world.retry.handle(job), { concurrency: 8 });
    sweeping = setInterval(() => {
      sweeps = sweeps.then(() => world.sweeper.sweep()).catch(() => undefined);
    }, 250);
  });

  afterAll(async () => {
    clearInterval(sweeping);
    await sweeps;
    stopWaking?.();
    await world?.close();
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    rmSync(catalogueDir, { recursive: true, force: true });
  });

  it('sends one trial per period and writes only its claim and outcome; once the agency is back all complete, each sent once', async () => {
    world.agency.setMode('down');
    const submitted: Transaction[] = [];
    for (let i = 0; i < N; i++) submitted.push(await world.submitNrb());
    expect(submitted.map((tx) => tx.state)).toEqual(Array(N).fill('retrying'));
    // The first failures opened the breaker; the rest were recorded as refused at once.
    expect(world.agencies.refusing('nrb')).not.toBeNull();

    const calls0 = world.agency.stats().calls;
    const writes0 = writes.claims + writes.outcomes;
    const periods0 = transitions.filter((state) => state === 'half_open').length;
    await eventually(async () => world.agency.stats().calls, (calls) => calls >= calls0 + TRIALS, 30_000, 20);
    const calls = world.agency.stats().calls - calls0;
    const written = writes.claims + writes.outcomes - writes0;
    const periods = transitions.filter((state) => state === 'half_open').length - periods0;
    // One trial per period (the last may have begun as we looked), each one claim and one outcome:
    // not one claim and one outcome per waiting transaction (2 × 50 per period before issue 13).
    expect(calls).toBeLessThanOrEqual(periods + 1);
    expect(written).toBeLessThanOrEqual(2 * (calls + 1));
    expect(transitions.slice(-1)).not.toEqual(['closed']);

    world.agency.setMode('healthy');
    const states = await eventually(
      async () => (await world.db.pool.query<{ state: string; n: string }>(`SELECT state, count(*) AS n FROM transactions GROUP BY state`)).rows,
      (rows) => rows.length === 1 && rows[0].state === 'completed' && Number(rows[0].n) === N,
      30_000,
      100,
    );
    expect(states).toEqual([{ state: 'completed', n: String(N) }]);
    const stats = world.agency.stats();
    expect(stats.accepted).toBe(N);
    expect(stats.duplicates).toBe(0);
    for (const tx of submitted) expect(stats.byKey[tx.id]).toBe(1);
    // No attempt spent on a refusal of our own: every counted attempt is a call the agency received.
    const { rows } = await world.db.pool.query<{ counted: string }>(`SELECT sum(attempts - breaker_refusals) AS counted FROM transactions`);
    expect(Number(rows[0].counted)).toBe(stats.calls);
  });
});
