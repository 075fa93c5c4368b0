import { Module } from '@nestjs/common';
import { IdempotencyInterceptor } from '../http/idempotency.interceptor';
import { BookingsController } from './bookings.controller';
import { SlotsController } from './slots.controller';

@Module({ controllers: [BookingsController, SlotsController], providers: [IdempotencyInterceptor] })
export class BookingsModule {}
