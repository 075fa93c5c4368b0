import { Module } from '@nestjs/common';
import { IdempotencyInterceptor } from '../../http/idempotency.interceptor';
import { CentreTicketsController, TicketsController } from './tickets.controller';

@Module({ controllers: [CentreTicketsController, TicketsController], providers: [IdempotencyInterceptor] })
export class TicketsModule {}
