import { Module } from '@nestjs/common';
import { SchedulerModule } from '../worker/scheduler';
import { AuditCoreModule } from './audit-core.module';
import { AuditSealingService } from './audit-sealing.service';

@Module({ imports: [AuditCoreModule, SchedulerModule], providers: [AuditSealingService], exports: [AuditSealingService] })
export class AuditSealingModule {}
