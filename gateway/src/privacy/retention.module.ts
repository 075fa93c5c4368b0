import { Module } from '@nestjs/common';
import { SchedulerModule } from '../worker/scheduler';
import { PrivacyCoreModule } from './privacy-core.module';
import { RetentionService } from './retention.service';

/** The worker's retention job. */
@Module({ imports: [PrivacyCoreModule, SchedulerModule], providers: [RetentionService], exports: [RetentionService] })
export class RetentionModule {}
