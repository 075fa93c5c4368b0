import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { BookingJobs } from '../../../core/bookings/use-cases/booking-jobs';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Scheduler, type PeriodicJob } from './scheduler';

/**
 * The worker's appointment jobs on an interval: release no-shows (their places go back on sale)
 * and send day-before reminders. Several workers may run it at once (claims use SKIP LOCKED).
 */
@Injectable()
export class BookingJobsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('BookingJobs');
  private job?: PeriodicJob;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: BookingJobs,
    private readonly scheduler: Scheduler,
  ) {}

  onApplicationBootstrap(): void {
    this.job = this.scheduler.every('booking jobs', this.config.bookingJobsIntervalMs, () => this.pass());
  }

  /** One pass of both jobs; a pass still running is not started twice. */
  runOnce(): Promise<void> {
    return this.job ? this.job.runOnce() : this.pass();
  }

  private async pass(): Promise<void> {
    const released = await this.jobs.releaseNoShows();
    if (released.length) this.logger.log(`released ${released.length} no-show booking(s)`);
    const reminded = await this.jobs.sendReminders();
    if (reminded) this.logger.log(`sent ${reminded} booking reminder(s)`);
    const soon = await this.jobs.sendHourReminders();
    if (soon) this.logger.log(`sent ${soon} hour-before reminder(s)`);
  }
}
