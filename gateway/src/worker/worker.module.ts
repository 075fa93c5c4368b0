import { Module } from '@nestjs/common';
import { AgencyModesModule } from '../agencies/agency-modes.module';
import { TransactionsCoreModule } from '../transactions/transactions-core.module';
import { FileDropInboxService } from './file-drop-inbox.service';
import { NotificationsModule } from '../notifications/notifications.module';
import { ReplayTasksCoreModule } from '../replay-tasks/replay-tasks-core.module';
import { NoticeSenderService } from './notice-sender.service';
import { ReplayTaskRunnerService } from './replay-task-runner.service';
import { ReplayService } from './replay.service';
import { SchedulerModule } from './scheduler';
import { WorkerService } from './worker.service';

@Module({
  imports: [TransactionsCoreModule, AgencyModesModule, SchedulerModule, ReplayTasksCoreModule, NotificationsModule],
  providers: [WorkerService, FileDropInboxService, ReplayService, ReplayTaskRunnerService, NoticeSenderService],
  exports: [WorkerService],
})
export class WorkerModule {}
