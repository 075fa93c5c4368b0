import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SEAL_ENTITY, type AuditSealer } from '../../../core/audit/sealer';
import { SealFolder } from '../../../core/audit/seal-folder';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { SEALER } from './audit-core.module';

/** The worker seals every audit chain head every KIUNGO_SEAL_INTERVAL_MS (default hourly). */
@Injectable()
export class AuditSealingService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditSeal');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SEALER) private readonly sealer: AuditSealer | null,
    private readonly folder: SealFolder,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.sealer) {
      this.logger.error('audit sealing is OFF: set KIUNGO_SEAL_KEY or KIUNGO_SEAL_KEY_FILE (README "Audit: seals and keys")');
      return;
    }
    this.timer = setInterval(() => void this.runOnce(), this.config.audit.sealIntervalMs);
    this.timer.unref();
    this.logger.log(`sealing the audit chains every ${this.config.audit.sealIntervalMs} ms with key ${this.sealer.keyId}, copies in ${this.folder.path}`);
  }

  /** One seal now; a seal still being made is not started twice. */
  runOnce(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    try {
      await this.sealer?.seal(`system:${SEAL_ENTITY}`);
    } catch (error) {
      this.logger.warn(`sealing failed, will try again: ${(error as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
