import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import type { Pool } from 'pg';
import { Catalogue } from '../../../contracts/src/catalogue';
import { AuditLog } from '../../../core/audit/audit-log';
import { CentreCache } from '../../../core/centres/centre-cache';
import { CentreRepository } from '../../../core/centres/centre.repository';
import { demoCentres } from '../../../core/centres/demo-centres';
import { PgCentreRepository } from '../../../core/centres/pg/centre.pg-repository';
import { ManageCentres } from '../../../core/centres/use-cases/manage-centres';
import { CentreNoticeChoices } from '../../../core/centres/use-cases/centre-notice-choices';
import { NoticeChoicesRepository } from '../../../core/centres/notice-choices';
import { PgNoticeChoicesRepository } from '../../../core/centres/pg/notice-choices.pg-repository';
import { Clock } from '../../../core/shared/clock';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DB_POOL, PREPARED_STATEMENTS } from '../runtime/tokens';

/** Inserts the demo centres when KIUNGO_SEED_CENTRES is on (embedded default); idempotent, so every role may run it. */
@Injectable()
export class DemoCentresSeed implements OnApplicationBootstrap {
  private readonly logger = new Logger('Centres');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly catalogue: Catalogue,
    private readonly clock: Clock,
    private readonly centres: CentreRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.seedDemoCentres) return;
    const inserted = await this.centres.seedMissing(demoCentres(this.catalogue), 'system:seed', this.clock.now());
    if (inserted.length) this.logger.log(`seeded demo centres ${inserted.join(', ')}`);
  }
}

/** Centres: opening hours, holidays, the services each offers, counters; the demo centres seeded at start. */
@Module({
  providers: [
    {
      provide: CentreRepository,
      inject: [DB_POOL, AuditLog, PREPARED_STATEMENTS],
      useFactory: (pool: Pool, audit: AuditLog, prepared: boolean) => new PgCentreRepository(pool, audit, prepared),
    },
    // One per process: the bookings' centres, kept between requests (core/centres/centre-cache.ts).
    { provide: CentreCache, inject: [CentreRepository], useFactory: (centres: CentreRepository) => new CentreCache(centres) },
    {
      provide: ManageCentres,
      inject: [CentreRepository, Catalogue, Clock],
      useFactory: (centres: CentreRepository, catalogue: Catalogue, clock: Clock) => new ManageCentres(centres, catalogue, clock),
    },
    { provide: NoticeChoicesRepository, inject: [DB_POOL, AuditLog], useFactory: (pool: Pool, audit: AuditLog) => new PgNoticeChoicesRepository(pool, audit) },
    {
      provide: CentreNoticeChoices,
      inject: [ManageCentres, NoticeChoicesRepository, Clock],
      useFactory: (centres: ManageCentres, choices: NoticeChoicesRepository, clock: Clock) => new CentreNoticeChoices(centres, choices, clock),
    },
    DemoCentresSeed,
  ],
  exports: [CentreRepository, CentreCache, ManageCentres, NoticeChoicesRepository, CentreNoticeChoices],
})
export class CentresCoreModule {}
