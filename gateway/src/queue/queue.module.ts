import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { RetryQueue } from '../../../core/queue/retry-queue.port';
import { createRetryQueue } from './create-retry-queue';

export interface QueueModuleOptions {
  redisUrl?: string;
  prefix?: string;
}

/**
 * Closes the queue once the HTTP server has stopped (onApplicationShutdown runs after Nest's
 * dispose()), so requests still in flight can schedule their retries; close() then waits,
 * bounded, for running handlers. Needs app.enableShutdownHooks() to run on SIGTERM.
 */
@Injectable()
class RetryQueueShutdown implements OnApplicationShutdown {
  constructor(@Inject(RetryQueue) private readonly queue: RetryQueue) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}

/**
 * Provides the RetryQueue port: BullMQ when a Redis URL is given, in-process otherwise.
 *
 * @nestjs/bullmq's BullModule is not used: it would own a second Queue instance beside the one
 * the core driver needs, and its workers are @Processor classes started at module init in every
 * process, whereas only the worker role consumes, by calling consume(handler) at run time. The
 * driver (core, no Nest) owns Queue, Worker and both connections and closes them in one order.
 */
@Module({})
export class QueueModule {
  static forRoot(options: QueueModuleOptions = {}): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      providers: [
        {
          provide: RetryQueue,
          useFactory: (): RetryQueue => createRetryQueue({ ...options, logger: new Logger('RetryQueue') }),
        },
        RetryQueueShutdown,
      ],
      exports: [RetryQueue],
    };
  }
}
