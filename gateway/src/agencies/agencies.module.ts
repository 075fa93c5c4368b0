import { Module } from '@nestjs/common';
import { BookingsCoreModule } from '../bookings/bookings-core.module';
import { TransactionsCoreModule } from '../transactions/transactions-core.module';
import { AgenciesController } from './agencies.controller';
import { AgencyModesModule } from './agency-modes.module';

@Module({ imports: [AgencyModesModule, TransactionsCoreModule, BookingsCoreModule], controllers: [AgenciesController] })
export class AgenciesModule {}
