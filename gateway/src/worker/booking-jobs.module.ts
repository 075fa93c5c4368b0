import { Module } from '@nestjs/common';
import { BookingJobsService } from './booking-jobs.service';

@Module({ providers: [BookingJobsService], exports: [BookingJobsService] })
export class BookingJobsModule {}
