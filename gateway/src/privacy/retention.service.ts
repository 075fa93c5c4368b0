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
      const rows = Object.entries(erased).filter(([, n]) => n > 0);
      if (rows.length > 0) this.logger.log(`erased personal data past retention: ${rows.map(([table, n]) => `${table} ${n}`).join(', ')}`);
    });
  }

  /** One pass now, or the one running. */
  runOnce(): Promise<void> {
    return this.job?.runOnce() ?? Promise.resolve();
  }
}
