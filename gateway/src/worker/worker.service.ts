import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AgencyRegistry } from '../../../adapters/registry';
import { Catalogue } from '../../../contracts/src/catalogue';
import { RetryQueue } from '../../../core/retry-queue/retry-queue.port';
import { RetryTransaction } from '../../../core/transactions/use-cases/retry-transaction';
import { SweepOverdueTransactions } from '../../../core/transactions/use-cases/sweep-overdue';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Scheduler } from './scheduler';

/**
 * The worker role: consumes retry jobs and runs the sweeper that re-enqueues anything overdue,
 * so a crash or a lost Redis never loses a transaction. Retries that waited for an agency's
 * breaker trial (RetryTransaction) are woken when the trial closes the breaker, to go at the
 * agency's normal pace rather than at the next trial time.
 */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private stopWaking?: () => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly catalogue: Catalogue,
    private readonly retries: RetryQueue,
    private readonly retry: RetryTransaction,
    private readonly sweeper: SweepOverdueTransactions,
    private readonly scheduler: Scheduler,
    private readonly agencies: AgencyRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.stopWaking = wakeRetriesOnClose(this.agencies, this.retries, (message) => this.logger.warn(message));
    const concurrency = Math.max(8, ...this.catalogue.agencies.map((a) => a.resilience.concurrency));
    await this.retries.consume((job) => this.retry.handle(job), { concurrency });
    const sweep = this.scheduler.every('sweep', this.config.sweepIntervalMs, async () => {
      const count = await this.sweeper.sweep();
      if (count > 0) this.logger.log(`sweeper re-enqueued ${count} overdue transaction(s)`);
    });
    await sweep.runOnce();
    this.logger.log(`worker started: retry concurrency ${concurrency}, sweep every ${this.config.sweepIntervalMs} ms`);
  }

  onApplicationShutdown(): void {
    this.stopWaking?.();
  }
}

/**
 * When a breaker trial closes an agency's breaker, the retries put back to wait for it run now
 * (at the agency's normal pace: its rate limit and bulkhead), not at the next trial time.
 * Returns the unsubscribe function.
 */
export function wakeRetriesOnClose(
  agencies: Pick<AgencyRegistry, 'onBreakerChange'>,
  retries: Pick<RetryQueue, 'wake'>,
  warn: (message: string) => void,
): () => void {
  return agencies.onBreakerChange((agencyCode, state) => {
    if (state !== 'closed') return;
    retries.wake(agencyCode).catch((error: Error) => {
      // They still run when their delay ends (the next trial time).
      warn(`could not wake the retries of ${agencyCode} after its breaker closed: ${error.message}`);
    });
  });
}
