import { Module } from '@nestjs/common';
import { IdempotencyInterceptor } from '../http/idempotency.interceptor';
import { FallbackController } from './fallback.controller';
import { TransactionsController } from './transactions.controller';

@Module({ controllers: [TransactionsController, FallbackController], providers: [IdempotencyInterceptor] })
export class TransactionsModule {}
