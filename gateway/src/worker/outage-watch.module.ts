import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { Catalogue } from '../../../contracts/src/catalogue';
import { AgencyModes } from '../../../core/agencies/agency-modes';
import { AgencyNotices } from '../../../core/agencies/agency-notices';
import { OutageRepository } from '../../../core/agencies/outage.repository';
import { WatchOutages } from '../../../core/agencies/use-cases/watch-outages';
import { CentreRepository } from '../../../core/centres/centre.repository';
import { NoticeOutbox } from '../../../core/notifications/notice-outbox';
import { Clock } from '../../../core/shared/clock';
import { PersonalDataVault } from '../../../core/shared/personal-data';
import { BoardFeed } from '../../../core/walk-in/board-feed';
import { AgencyModesModule } from '../agencies/agency-modes.module';
import { CentresCoreModule } from '../centres/centres-core.module';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { NotificationsModule } from '../notifications/notifications.module';
import { WalkInCoreModule } from '../walk-in/walk-in-core.module';
import { Scheduler, SchedulerModule, type PeriodicJob } from './scheduler';

/** The worker's outage watch (core/agencies/use-cases/watch-outages.ts) every KIUNGO_OUTAGE_WATCH_INTERVAL_MS. */
@Injectable()
export class OutageWatchService implements OnApplicationBootstrap {
  private readonly logger = new Logger('OutageWatch');
  private job?: PeriodicJob;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly watch: WatchOutages,
    private readonly scheduler: Scheduler,
  ) {}

  onApplicationBootstrap(): void {
    this.job = this.scheduler.every('outage watch', this.config.outageWatchIntervalMs, async () => {
      const changed = await this.watch.pass();
      if (changed.length) this.logger.log(`agency outages changed: ${changed.join(', ')}`);
    });
  }

  runOnce(): Promise<void> {
    return this.job?.runOnce() ?? Promise.resolve();
  }
}

@Module({
  imports: [AgencyModesModule, CentresCoreModule, NotificationsModule, WalkInCoreModule, SchedulerModule],
  providers: [
    {
      provide: WatchOutages,
      inject: [Catalogue, AgencyModes, OutageRepository, AgencyNotices, CentreRepository, BoardFeed, NoticeOutbox, PersonalDataVault, Clock],
      useFactory: (
        catalogue: Catalogue,
        modes: AgencyModes,
        outages: OutageRepository,
        notices: AgencyNotices,
        centres: CentreRepository,
        board: BoardFeed,
        outbox: NoticeOutbox,
        vault: PersonalDataVault,
        clock: Clock,
      ) => new WatchOutages(catalogue, modes, outages, notices, centres, board, outbox, vault, clock),
    },
    OutageWatchService,
  ],
  exports: [OutageWatchService],
})
export class OutageWatchModule {}
