import { Module } from '@nestjs/common';
import { AgencyModesModule } from '../agencies/agency-modes.module';
import { TransactionsCoreModule } from '../transactions/transactions-core.module';
import { FileDropInboxService } from './file-drop-inbox.service';
import { ReplayTasksCoreModule } from '../replay-tasks/replay-tasks-core.module';
import { ReplayTaskRunnerService } from './replay-task-runner.service';
import { ReplayService } from './replay.service';
import { SchedulerModule } from './scheduler';
import { WorkerService } from './worker.service';

@Module({
  imports: [TransactionsCoreModule, AgencyModesModule, SchedulerModule, ReplayTasksCoreModule],
  providers: [WorkerService, FileDropInboxService, ReplayService, ReplayTaskRunnerService],
  exports: [WorkerService],
})
export class WorkerModule {}
