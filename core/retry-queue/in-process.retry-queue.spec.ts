import { InProcessRetryQueue, handlerBackoffMs } from './in-process.retry-queue';
import { retryQueueContract } from './retry-queue.contract';

retryQueueContract('in-process', async (_space, options) => new InProcessRetryQueue(options), { distributed: false });

describe('handlerBackoffMs', () => {
  it('doubles from the base, with up to half of each wait taken off at random', () => {
    expect([1, 2, 3, 4].map((runs) => handlerBackoffMs(runs, 1_000, () => 0.999_999))).toEqual([999, 1_999, 3_999, 7_999]);
    expect([1, 2, 3, 4].map((runs) => handlerBackoffMs(runs, 1_000, () => 0))).toEqual([500, 1_000, 2_000, 4_000]);
  });
});

describe('InProcessRetryQueue', () => {
  it('rejects a concurrency below one', async () => {
    const queue = new InProcessRetryQueue();
    await expect(queue.consume(async () => {}, { concurrency: 0 })).rejects.toThrow(RangeError);
    await queue.close();
  });
});
