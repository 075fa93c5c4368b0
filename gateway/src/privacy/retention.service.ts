import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { PurgeExpiredPersonalData } from '../../../core/privacy/use-cases/purge-expired';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Scheduler, type PeriodicJob } from '../worker/scheduler';

/** The worker erases personal data past retention every KIUNGO_RETENTION_INTERVAL_MS (default hourly). */
@Injectable()
export class RetentionService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Retention');
  private job?: PeriodicJob;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly purge: PurgeExpiredPersonalData,
    private readonly scheduler: Scheduler,
  ) {}

  onApplicationBootstrap(): void {
    this.job = this.scheduler.every('retention', this.config.retention.intervalMs, async () => {
      const erased = await this.purge.execute();
      if (erased.transactions + erased.bookings > 0) {
        this.logger.log(`erased the personal data of ${erased.transactions} transactions and ${erased.bookings} bookings past retention`);
      }
    });
  }

  /** One pass now, or the one running. */
  runOnce(): Promise<void> {
    return this.job?.runOnce() ?? Promise.resolve();
  }
}
