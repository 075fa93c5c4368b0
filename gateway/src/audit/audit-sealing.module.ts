import { Module } from '@nestjs/common';
import { AuditCoreModule } from './audit-core.module';
import { AuditSealingService } from './audit-sealing.service';

@Module({ imports: [AuditCoreModule], providers: [AuditSealingService], exports: [AuditSealingService] })
export class AuditSealingModule {}
