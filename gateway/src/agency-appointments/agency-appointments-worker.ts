import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { RetryAgencyAppointments } from '../../../core/agency-appointments/use-cases/retry-agency-appointments';
import { BookingsCoreModule } from '../bookings/bookings-core.module';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** The worker retries reservations left pending at agencies, on the booking jobs' interval. */
@Injectable()
export class AgencyAppointmentsWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AgencyAppointments');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly retry: RetryAgencyAppointments,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce(), this.config.bookingJobsIntervalMs);
    this.timer.unref();
  }

  runOnce(): Promise<void> {
    this.running ??= this.retry
      .run()
      .then((report) => {
        if (report.reserved || report.refused) this.logger.log(`agency reservations: ${report.reserved} made, ${report.refused} refused, ${report.stillPending} still pending`);
      })
      .catch((error: Error) => this.logger.warn(`agency reservation retry failed, will try again: ${error.message}`))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}

@Module({ imports: [BookingsCoreModule], providers: [AgencyAppointmentsWorker] })
export class AgencyAppointmentsWorkerModule {}
