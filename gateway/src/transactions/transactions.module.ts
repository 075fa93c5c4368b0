import { Module } from '@nestjs/common';
import { CentresCoreModule } from '../centres/centres-core.module';
import { IdempotencyModule } from '../http/idempotency.module';
import { ReceiptsCoreModule } from '../receipts/receipts-core.module';
import { AcknowledgmentController } from './acknowledgment.controller';
import { ManualOutcomeController } from './manual-outcome.controller';
import { ReplayController } from './replay.controller';
import { TransactionsController } from './transactions.controller';
import { TransactionsCoreModule } from './transactions-core.module';

/** One controller per resource of /v1/transactions. */
@Module({
  imports: [TransactionsCoreModule, IdempotencyModule, CentresCoreModule, ReceiptsCoreModule],
  controllers: [TransactionsController, AcknowledgmentController, ManualOutcomeController, ReplayController],
})
export class TransactionsModule {}
