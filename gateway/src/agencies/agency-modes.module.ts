import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { AgencyRegistry } from '../../../adapters/registry';
import { Catalogue } from '../../../contracts/src/catalogue';
import { DEFAULT_REPLAY } from '../../../contracts/src/catalogue.types';
import { AgencyHealthProbe } from '../../../core/agencies/agency-health.port';
import { AgencyModeRepository } from '../../../core/agencies/agency-mode.repository';
import { AgencyModes } from '../../../core/agencies/agency-modes';
import { PgAgencyModeRepository } from '../../../core/agencies/pg/agency-mode.pg-repository';
import { PauseReplay } from '../../../core/agencies/use-cases/pause-replay';
import { SetAgencyMode } from '../../../core/agencies/use-cases/set-agency-mode';
import { AuditLog } from '../../../core/audit/audit-log';
import { EventBus } from '../../../core/events/event-bus.port';
import { Clock } from '../../../core/shared/clock';
import { EventBusModule } from '../events/event-bus.module';
import { KiungoMetrics } from '../metrics/kiungo-metrics';
import { DB_POOL } from '../runtime/tokens';
import { RegistryHealthProbe } from './registry-health.probe';

/** Hears the other replicas' mode switches before the process serves anything. */
@Injectable()
class AgencyModesListener implements OnModuleInit {
  constructor(private readonly modes: AgencyModes) {}

  async onModuleInit(): Promise<void> {
    await this.modes.listen();
  }
}

/** Agency modes (auto, manual, maintenance, degraded), the health probe behind them, and the operator's switches. */
@Module({
  imports: [EventBusModule],
  providers: [
    {
      provide: AgencyHealthProbe,
      inject: [AgencyRegistry, Clock],
      useFactory: (agencies: AgencyRegistry, clock: Clock) => new RegistryHealthProbe(agencies, clock),
    },
    {
      provide: AgencyModeRepository,
      inject: [DB_POOL, AuditLog],
      useFactory: (pool: Pool, audit: AuditLog) => new PgAgencyModeRepository(pool, audit),
    },
    {
      provide: AgencyModes,
      inject: [AgencyModeRepository, AgencyHealthProbe, Catalogue, Clock, EventBus, KiungoMetrics],
      useFactory: (repository: AgencyModeRepository, health: AgencyHealthProbe, catalogue: Catalogue, clock: Clock, bus: EventBus, metrics: KiungoMetrics) => {
        const degradedAfterMs = (agencyCode: string) => (catalogue.agency(agencyCode)?.replay ?? DEFAULT_REPLAY).degradedAfterMs;
        const modes = new AgencyModes(repository, health, clock, degradedAfterMs, { bus });
        modes.onChangeHeard((agencyCode, delayMs) => metrics.modeChangeHeard(agencyCode, delayMs));
        return modes;
      },
    },
    AgencyModesListener,
    {
      provide: SetAgencyMode,
      inject: [Catalogue, AgencyModeRepository, AgencyModes, Clock],
      useFactory: (catalogue: Catalogue, repository: AgencyModeRepository, modes: AgencyModes, clock: Clock) =>
        new SetAgencyMode(catalogue, repository, modes, clock),
    },
    {
      provide: PauseReplay,
      inject: [Catalogue, AgencyModeRepository, AgencyModes, Clock],
      useFactory: (catalogue: Catalogue, repository: AgencyModeRepository, modes: AgencyModes, clock: Clock) =>
        new PauseReplay(catalogue, repository, modes, clock),
    },
  ],
  exports: [AgencyHealthProbe, AgencyModeRepository, AgencyModes, SetAgencyMode, PauseReplay],
})
export class AgencyModesModule {}
