import { Module } from '@nestjs/common';
import { FileDropInboxService } from './file-drop-inbox.service';
import { ReplayService } from './replay.service';
import { WorkerService } from './worker.service';

@Module({ providers: [WorkerService, FileDropInboxService, ReplayService], exports: [WorkerService] })
export class WorkerModule {}
