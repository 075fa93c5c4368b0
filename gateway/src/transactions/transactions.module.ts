import { Module } from '@nestjs/common';
import { IdempotencyInterceptor } from '../http/idempotency.interceptor';
import { TransactionsController } from './transactions.controller';

@Module({ controllers: [TransactionsController], providers: [IdempotencyInterceptor] })
export class TransactionsModule {}
