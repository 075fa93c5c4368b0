import { Module } from '@nestjs/common';
import { TransactionsCoreModule } from '../transactions/transactions-core.module';
import { AgenciesController } from './agencies.controller';
import { AgencyModesModule } from './agency-modes.module';

@Module({ imports: [AgencyModesModule, TransactionsCoreModule], controllers: [AgenciesController] })
export class AgenciesModule {}
