import { Test } from '@nestjs/testing';
import { InProcessRetryQueue } from '../../../core/queue/in-process.retry-queue';
import { RetryQueue } from '../../../core/queue/retry-queue.port';
import { QueueModule } from './queue.module';

describe('QueueModule without a Redis URL', () => {
  it('provides the in-process driver and closes it when the application shuts down', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [QueueModule.forRoot({})] }).compile();
    const queue = moduleRef.get(RetryQueue);
    expect(queue).toBeInstanceOf(InProcessRetryQueue);
    await queue.schedule({ transactionId: 'tx-1', agencyCode: 'KRA', attempt: 2 }, 60_000);
    expect(await queue.depth()).toEqual({ KRA: { waiting: 0, delayed: 1, active: 0 } });
    await moduleRef.close();
    await expect(queue.schedule({ transactionId: 'tx-2', agencyCode: 'KRA', attempt: 2 }, 0)).rejects.toThrow(/closed/);
    // close() dropped the pending job and cleared its timer.
    expect(await queue.depth()).toEqual({});
  });
});
