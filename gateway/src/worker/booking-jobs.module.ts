import { Module } from '@nestjs/common';
import { BookingsCoreModule } from '../bookings/bookings-core.module';
import { BookingJobsService } from './booking-jobs.service';
import { SchedulerModule } from './scheduler';

@Module({ imports: [BookingsCoreModule, SchedulerModule], providers: [BookingJobsService], exports: [BookingJobsService] })
export class BookingJobsModule {}
