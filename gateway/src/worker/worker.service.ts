import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Catalogue } from '../../../contracts/src/catalogue';
import { RetryQueue } from '../../../core/retry-queue/retry-queue.port';
import { RetryTransaction } from '../../../core/transactions/use-cases/retry-transaction';
import { SweepOverdueTransactions } from '../../../core/transactions/use-cases/sweep-overdue';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Scheduler } from './scheduler';

/**
 * The worker role: consumes retry jobs and runs the sweeper that re-enqueues anything overdue,
 * so a crash or a lost Redis never loses a transaction.
 */
@Injectable()
export class WorkerService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Worker');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly catalogue: Catalogue,
    private readonly retries: RetryQueue,
    private readonly retry: RetryTransaction,
    private readonly sweeper: SweepOverdueTransactions,
    private readonly scheduler: Scheduler,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const concurrency = Math.max(8, ...this.catalogue.agencies.map((a) => a.resilience.concurrency));
    await this.retries.consume((job) => this.retry.handle(job), { concurrency });
    const sweep = this.scheduler.every('sweep', this.config.sweepIntervalMs, async () => {
      const count = await this.sweeper.sweep();
      if (count > 0) this.logger.log(`sweeper re-enqueued ${count} overdue transaction(s)`);
    });
    await sweep.runOnce();
    this.logger.log(`worker started: retry concurrency ${concurrency}, sweep every ${this.config.sweepIntervalMs} ms`);
  }
}
