import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { RetryAgencyAppointments } from '../../../core/agency-appointments/use-cases/retry-agency-appointments';
import { BookingsCoreModule } from '../bookings/bookings-core.module';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Scheduler, SchedulerModule } from '../worker/scheduler';

/** The worker retries reservations left pending at agencies, on the booking jobs' interval. */
@Injectable()
export class AgencyAppointmentsWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger('AgencyAppointments');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly retry: RetryAgencyAppointments,
    private readonly scheduler: Scheduler,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.every('agency reservation retry', this.config.bookingJobsIntervalMs, async () => {
      const report = await this.retry.run();
      if (report.reserved || report.refused) this.logger.log(`agency reservations: ${report.reserved} made, ${report.refused} refused, ${report.stillPending} still pending`);
    });
  }
}

@Module({ imports: [BookingsCoreModule, SchedulerModule], providers: [AgencyAppointmentsWorker] })
export class AgencyAppointmentsWorkerModule {}
