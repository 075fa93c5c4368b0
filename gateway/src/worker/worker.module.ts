import { Module } from '@nestjs/common';
import { AgencyModesModule } from '../agencies/agency-modes.module';
import { TransactionsCoreModule } from '../transactions/transactions-core.module';
import { FileDropInboxService } from './file-drop-inbox.service';
import { ReplayService } from './replay.service';
import { SchedulerModule } from './scheduler';
import { WorkerService } from './worker.service';

@Module({
  imports: [TransactionsCoreModule, AgencyModesModule, SchedulerModule],
  providers: [WorkerService, FileDropInboxService, ReplayService],
  exports: [WorkerService],
})
export class WorkerModule {}
