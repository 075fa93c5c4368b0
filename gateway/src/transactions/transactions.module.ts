import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../http/idempotency.module';
import { FallbackController } from './fallback.controller';
import { TransactionsController } from './transactions.controller';
import { TransactionsCoreModule } from './transactions-core.module';

@Module({ imports: [TransactionsCoreModule, IdempotencyModule], controllers: [TransactionsController, FallbackController] })
export class TransactionsModule {}
