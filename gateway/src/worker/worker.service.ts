import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { RetryTransaction } from '../../../core/transactions/use-cases/retry-transaction';
import { SweepOverdueTransactions } from '../../../core/transactions/use-cases/sweep-overdue';
import { Catalogue } from '../../../contracts/src/catalogue';
import { RetryQueue } from '../../../core/retry-queue/retry-queue.port';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/**
 * The worker role: consumes retry jobs and runs the sweeper that re-enqueues anything overdue,
 * so a crash or a lost Redis never loses a transaction.
 */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private sweepTimer?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly catalogue: Catalogue,
    private readonly retries: RetryQueue,
    private readonly retry: RetryTransaction,
    private readonly sweeper: SweepOverdueTransactions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const concurrency = Math.max(8, ...this.catalogue.agencies.map((a) => a.resilience.concurrency));
    await this.retries.consume((job) => this.retry.handle(job), { concurrency });
    await this.sweepOnce();
    this.sweepTimer = setInterval(() => void this.sweepOnce(), this.config.sweepIntervalMs);
    this.logger.log(`worker started: retry concurrency ${concurrency}, sweep every ${this.config.sweepIntervalMs} ms`);
  }

  async sweepOnce(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    try {
      const count = await this.sweeper.sweep();
      if (count > 0) this.logger.log(`sweeper re-enqueued ${count} overdue transaction(s)`);
      return count;
    } catch (error) {
      this.logger.warn(`sweep failed, will try again: ${(error as Error).message}`);
      return 0;
    } finally {
      this.sweeping = false;
    }
  }

  onApplicationShutdown(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
  }
}
