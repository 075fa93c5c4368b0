import { Module } from '@nestjs/common';
import { TransactionsCoreModule } from '../transactions/transactions-core.module';
import { ReconciliationController } from './reconciliation.controller';

@Module({ imports: [TransactionsCoreModule], controllers: [ReconciliationController] })
export class ReconciliationModule {}
