import { eventually } from '../../test/factories/eventually';
import { DomainError } from '../shared/errors';
import { BullMqRetryQueue } from './bullmq.retry-queue';

/** No Redis needed: what the producer side does when Redis is not there (port 1 refuses at once). */
describe('BullMqRetryQueue without a reachable Redis', () => {
  it('rejects schedule() with an unavailable DomainError after scheduleTimeoutMs, and still closes', async () => {
    const errors: string[] = [];
    const queue = new BullMqRetryQueue({
      redisUrl: 'redis://127.0.0.1:1',
      scheduleTimeoutMs: 200,
      logger: { warn: () => {}, error: (line) => errors.push(line) },
    });
    try {
      const scheduling = queue.schedule({ transactionId: 'tx-1', agencyCode: 'KRA', attempt: 2 }, 0);
      await expect(scheduling).rejects.toBeInstanceOf(DomainError);
      await expect(scheduling).rejects.toMatchObject({ category: 'unavailable', code: 'retry-queue-unavailable' });
      // The refused connection is logged when ioredis reports it, which on a busy box can come after the 200 ms.
      await eventually(async () => errors.some((line) => line.includes('ECONNREFUSED')), (logged) => logged);
    } finally {
      await queue.close();
    }
  });

  it('starts consuming without waiting for Redis forever, and still closes', async () => {
    const warnings: string[] = [];
    const queue = new BullMqRetryQueue({
      redisUrl: 'redis://127.0.0.1:1',
      scheduleTimeoutMs: 200,
      closeTimeoutMs: 300,
      logger: { warn: (line) => warnings.push(line), error: () => {} },
    });
    try {
      await queue.consume(async () => {}, { concurrency: 1 });
      expect(warnings.some((line) => line.includes('not ready'))).toBe(true);
    } finally {
      await queue.close();
    }
  });
});
