import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../../http/idempotency.module';
import { WalkInCoreModule } from '../walk-in-core.module';
import { CentreTicketsController, TicketsController } from './tickets.controller';

@Module({ imports: [WalkInCoreModule, IdempotencyModule], controllers: [CentreTicketsController, TicketsController] })
export class TicketsModule {}
