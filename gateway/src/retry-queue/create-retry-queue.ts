import { BullMqRetryQueue } from '../../../core/retry-queue/bullmq.retry-queue';
import { InProcessRetryQueue } from '../../../core/retry-queue/in-process.retry-queue';
import type { RetryQueue, RetryQueueOptions } from '../../../core/retry-queue/retry-queue.port';

export interface RetryQueueSettings extends RetryQueueOptions {
  /** REDIS_URL. Set: BullMQ on Redis (production). Unset: the in-process driver (embedded mode). */
  redisUrl?: string;
  /** Redis key prefix for the BullMQ driver; ignored in-process. */
  prefix?: string;
}

/** Picks the driver. Plain function, so the runtime can build a queue without Nest as well. */
export function createRetryQueue(settings: RetryQueueSettings): RetryQueue {
  const { redisUrl, prefix, ...options } = settings;
  return redisUrl ? new BullMqRetryQueue({ ...options, redisUrl, prefix }) : new InProcessRetryQueue(options);
}
