import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { Catalogue } from '../../../contracts/src/catalogue';
import { AgencyCallWindow } from '../../../core/agencies/agency-call-window';
import { AgencyHealthProbe } from '../../../core/agencies/agency-health.port';
import { AgencyModes } from '../../../core/agencies/agency-modes';
import { AlertRepository } from '../../../core/alerts/alert.repository';
import { CentreActivityQuery } from '../../../core/centres/centre-activity.query';
import { CentreRepository } from '../../../core/centres/centre.repository';
import { PgCentreActivityQuery } from '../../../core/centres/pg/centre-activity.pg-query';
import { GetOpsOverview } from '../../../core/ops/use-cases/ops-overview';
import { RetryQueue } from '../../../core/retry-queue/retry-queue.port';
import { Clock } from '../../../core/shared/clock';
import { TransactionRepository } from '../../../core/transactions/transaction.repository';
import { KpiQuery } from '../../../core/walk-in/kpi.query';
import { AgencyModesModule } from '../agencies/agency-modes.module';
import { CentresCoreModule } from '../centres/centres-core.module';
import { TransactionsCoreModule } from '../transactions/transactions-core.module';
import { DB_POOL } from '../runtime/tokens';
import { WalkInCoreModule } from '../walk-in/walk-in-core.module';
import { AlertsCoreModule } from './alerts-core.module';
import { OpsController } from './ops.controller';
import { OpsQueueBoard } from './ops-queues';

/** The operations room's page, read model and stream, and the BullMQ board in production (api role). */
@Module({
  imports: [AlertsCoreModule, AgencyModesModule, TransactionsCoreModule, CentresCoreModule, WalkInCoreModule],
  providers: [
    // The one-statement count the metrics use too (core/centres), rather than a query per centre.
    { provide: CentreActivityQuery, inject: [DB_POOL], useFactory: (pool: Pool) => new PgCentreActivityQuery(pool) },
    {
      provide: GetOpsOverview,
      inject: [Catalogue, AgencyHealthProbe, AgencyCallWindow, AgencyModes, RetryQueue, TransactionRepository, CentreRepository, CentreActivityQuery, KpiQuery, AlertRepository, Clock],
      useFactory: (
        catalogue: Catalogue,
        health: AgencyHealthProbe,
        calls: AgencyCallWindow,
        modes: AgencyModes,
        retries: RetryQueue,
        transactions: TransactionRepository,
        centres: CentreRepository,
        activity: CentreActivityQuery,
        kpis: KpiQuery,
        alerts: AlertRepository,
        clock: Clock,
      ) => new GetOpsOverview({ catalogue, health, calls, modes, retries, transactions, centres, activity, kpis, alerts, clock }),
    },
    OpsQueueBoard,
  ],
  controllers: [OpsController],
})
export class OpsModule {}
