import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../http/idempotency.module';
import { AcknowledgmentController } from './acknowledgment.controller';
import { ManualOutcomeController } from './manual-outcome.controller';
import { ReplayController } from './replay.controller';
import { TransactionsController } from './transactions.controller';
import { TransactionsCoreModule } from './transactions-core.module';

/** One controller per resource of /v1/transactions. */
@Module({
  imports: [TransactionsCoreModule, IdempotencyModule],
  controllers: [TransactionsController, AcknowledgmentController, ManualOutcomeController, ReplayController],
})
export class TransactionsModule {}
