import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { RetryTransaction } from '../../../core/transactions/use-cases/retry-transaction';
import { SweepOverdueTransactions } from '../../../core/transactions/use-cases/sweep-overdue';
import { KIUNGO_RUNTIME, type KiungoRuntime } from '../runtime/runtime';

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
    @Inject(KIUNGO_RUNTIME) private readonly runtime: KiungoRuntime,
    private readonly retry: RetryTransaction,
    private readonly sweeper: SweepOverdueTransactions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const concurrency = Math.max(8, ...this.runtime.catalogue.agencies.map((a) => a.resilience.concurrency));
    await this.runtime.retries.consume((job) => this.retry.handle(job), { concurrency });
    await this.sweepOnce();
    this.sweepTimer = setInterval(() => void this.sweepOnce(), this.runtime.config.sweepIntervalMs);
    this.logger.log(`worker started: retry concurrency ${concurrency}, sweep every ${this.runtime.config.sweepIntervalMs} ms`);
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
