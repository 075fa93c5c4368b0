import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { BookingJobs } from '../../../core/bookings/use-cases/booking-jobs';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/**
 * The worker's appointment jobs on an interval: release no-shows (their places go back on sale)
 * and send day-before reminders. Several workers may run it at once (claims use SKIP LOCKED).
 */
@Injectable()
export class BookingJobsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('BookingJobs');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: BookingJobs,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce(), this.config.bookingJobsIntervalMs);
    this.timer.unref();
  }

  /** One pass of both jobs; a pass still running is not started twice. */
  runOnce(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    try {
      const released = await this.jobs.releaseNoShows();
      if (released.length) this.logger.log(`released ${released.length} no-show booking(s)`);
      const reminded = await this.jobs.sendReminders();
      if (reminded) this.logger.log(`sent ${reminded} booking reminder(s)`);
    } catch (error) {
      this.logger.warn(`booking jobs failed, will try again: ${(error as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
