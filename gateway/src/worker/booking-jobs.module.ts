import { Module } from '@nestjs/common';
import { BookingsCoreModule } from '../bookings/bookings-core.module';
import { BookingJobsService } from './booking-jobs.service';

@Module({ imports: [BookingsCoreModule], providers: [BookingJobsService], exports: [BookingJobsService] })
export class BookingJobsModule {}
