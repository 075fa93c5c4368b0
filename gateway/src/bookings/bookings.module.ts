import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../http/idempotency.module';
import { BookingsController } from './bookings.controller';
import { BookingsCoreModule } from './bookings-core.module';
import { SlotsController } from './slots.controller';

@Module({ imports: [BookingsCoreModule, IdempotencyModule], controllers: [BookingsController, SlotsController] })
export class BookingsModule {}
