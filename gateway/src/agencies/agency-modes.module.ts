import { Module } from '@nestjs/common';
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
import { Clock } from '../../../core/shared/clock';
import { DB_POOL } from '../runtime/tokens';
import { RegistryHealthProbe } from './registry-health.probe';

/** Agency modes (auto, manual, maintenance, degraded), the health probe behind them, and the operator's switches. */
@Module({
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
      inject: [AgencyModeRepository, AgencyHealthProbe, Catalogue, Clock],
      useFactory: (repository: AgencyModeRepository, health: AgencyHealthProbe, catalogue: Catalogue, clock: Clock) =>
        new AgencyModes(repository, health, clock, (agencyCode) => (catalogue.agency(agencyCode)?.replay ?? DEFAULT_REPLAY).degradedAfterMs),
    },
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
