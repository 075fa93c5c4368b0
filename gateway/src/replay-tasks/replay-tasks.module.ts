import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../http/idempotency.module';
import { ReplayTasksController } from './replay-tasks.controller';
import { ReplayTasksCoreModule } from './replay-tasks-core.module';

@Module({ imports: [ReplayTasksCoreModule, IdempotencyModule], controllers: [ReplayTasksController] })
export class ReplayTasksModule {}
