/**
 * The BullMQ retry queue on a real Redis (KIUNGO_TEST_REDIS_URL; skipped and listed when unset):
 * the shared contract, plus what only Redis can show. Every key of this run lives under a random
 * prefix and is deleted afterwards.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { countDepthByAgency } from '../../core/retry-queue/bullmq-depth';
import { BullMqRetryQueue, RETRY_QUEUE_NAME } from '../../core/retry-queue/bullmq.retry-queue';
import { retryQueueContract } from '../../core/retry-queue/retry-queue.contract';
import { RetryJob, UNATTRIBUTED_AGENCY } from '../../core/retry-queue/retry-queue.port';
import { createRetryQueue } from '../../gateway/src/retry-queue/create-retry-queue';
import { describeWithRedis } from '../factories/services';

const runPrefix = `kiungo-test-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const quiet = { warn: () => {}, error: () => {} };
const job = (agencyCode: string, n: number): RetryJob => ({ transactionId: `tx-${n}`, agencyCode, attempt: 2 });

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

describeWithRedis('BullMQ retry queue', (redisUrl) => {
  let admin: Redis;

  beforeAll(() => {
    admin = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    await deleteKeys(admin, `${runPrefix}*`);
    await admin.quit();
  });

  retryQueueContract(
    'bullmq',
    async (space, options) => new BullMqRetryQueue({ ...options, redisUrl, prefix: `${runPrefix}:${space}` }),
    { distributed: true },
  );

  describe('BullMqRetryQueue on Redis', () => {
    it('keeps its jobs in Redis under the configured prefix and queue name', async () => {
      const prefix = `${runPrefix}:layout`;
      const queue = new BullMqRetryQueue({ redisUrl, prefix, logger: quiet });
      try {
        await queue.schedule(job('KRA', 1), 60_000);
        expect(await admin.exists(`${prefix}:${RETRY_QUEUE_NAME}:tx-1-2`)).toBe(1);
        expect(await admin.zcard(`${prefix}:${RETRY_QUEUE_NAME}:delayed`)).toBe(1);
      } finally {
        await queue.close();
      }
    });

    it('reports jobs past the scan limit as unattributed, keeping totals exact', async () => {
      const prefix = `${runPrefix}:scan`;
      const retries = new BullMqRetryQueue({ redisUrl, prefix, logger: quiet });
      const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      const reader = new Queue<RetryJob, void, string>(RETRY_QUEUE_NAME, { connection, prefix });
      try {
        for (let n = 1; n <= 5; n += 1) await retries.schedule(job(n <= 3 ? 'KRA' : 'NTSA', n), 60_000);
        const depth = await countDepthByAgency(reader, connection, 2);
        const delayed = Object.values(depth).reduce((sum, d) => sum + d.delayed, 0);
        expect(delayed).toBe(5);
        expect(depth[UNATTRIBUTED_AGENCY].delayed).toBe(3);
        expect(await countDepthByAgency(reader, connection)).toEqual({
          KRA: { waiting: 0, delayed: 3, active: 0 },
          NTSA: { waiting: 0, delayed: 2, active: 0 },
        });
      } finally {
        await reader.close();
        await connection.quit();
        await retries.close();
      }
    });
  });

  describe('createRetryQueue with a Redis URL', () => {
    it('builds the BullMQ driver, which refuses work once closed', async () => {
      const queue = createRetryQueue({ redisUrl, prefix: `${runPrefix}:factory`, logger: quiet });
      try {
        expect(queue).toBeInstanceOf(BullMqRetryQueue);
        await queue.schedule(job('KRA', 9), 60_000);
        expect(await queue.depth()).toEqual({ KRA: { waiting: 0, delayed: 1, active: 0 } });
      } finally {
        await queue.close();
      }
      await expect(queue.schedule(job('KRA', 10), 0)).rejects.toThrow(/closed/);
    });
  });
});
