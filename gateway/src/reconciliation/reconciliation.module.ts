import { Module } from '@nestjs/common';
import { ReconciliationController } from './reconciliation.controller';

@Module({ controllers: [ReconciliationController] })
export class ReconciliationModule {}
