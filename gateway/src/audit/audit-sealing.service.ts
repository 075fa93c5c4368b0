import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SEAL_ENTITY, type AuditSealer } from '../../../core/audit/sealer';
import { SealFolder } from '../../../core/audit/seal-folder';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Scheduler, type PeriodicJob } from '../worker/scheduler';
import { SEALER } from './audit-core.module';

/** The worker seals every audit chain head every KIUNGO_SEAL_INTERVAL_MS (default hourly). */
@Injectable()
export class AuditSealingService implements OnApplicationBootstrap {
  private readonly logger = new Logger('AuditSeal');
  private job?: PeriodicJob;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SEALER) private readonly sealer: AuditSealer | null,
    private readonly folder: SealFolder,
    private readonly scheduler: Scheduler,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.sealer) {
      this.logger.error('audit sealing is OFF: set KIUNGO_SEAL_KEY or KIUNGO_SEAL_KEY_FILE (README "Audit: a log nobody can quietly rewrite")');
      return;
    }
    const sealer = this.sealer;
    this.job = this.scheduler.every('audit seal', this.config.audit.sealIntervalMs, async () => {
      await sealer.seal(`system:${SEAL_ENTITY}`);
    });
    this.logger.log(`sealing the audit chains every ${this.config.audit.sealIntervalMs} ms with key ${sealer.keyId}, copies in ${this.folder.path}`);
  }

  /** One seal now, or the one being made. */
  runOnce(): Promise<void> {
    return this.job?.runOnce() ?? Promise.resolve();
  }
}
