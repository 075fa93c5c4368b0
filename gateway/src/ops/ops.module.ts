import { Module } from '@nestjs/common';
import { Catalogue } from '../../../contracts/src/catalogue';
import { AgencyCallWindow } from '../../../core/agencies/agency-call-window';
import { AgencyHealthProbe } from '../../../core/agencies/agency-health.port';
import { AgencyModes } from '../../../core/agencies/agency-modes';
import { AlertRepository } from '../../../core/alerts/alert.repository';
import { CentreRepository } from '../../../core/centres/centre.repository';
import { GetOpsOverview } from '../../../core/ops/use-cases/ops-overview';
import { RetryQueue } from '../../../core/retry-queue/retry-queue.port';
import { Clock } from '../../../core/shared/clock';
import { TransactionRepository } from '../../../core/transactions/transaction.repository';
import { KpiQuery } from '../../../core/walk-in/kpi.query';
import { TicketRepository } from '../../../core/walk-in/ticket.repository';
import { AgencyModesModule } from '../agencies/agency-modes.module';
import { CentresCoreModule } from '../centres/centres-core.module';
import { TransactionsCoreModule } from '../transactions/transactions-core.module';
import { WalkInCoreModule } from '../walk-in/walk-in-core.module';
import { AlertsCoreModule } from './alerts-core.module';
import { OpsController } from './ops.controller';
import { OpsQueueBoard } from './ops-queues';

/** The operations room's page, read model and stream, and the BullMQ board in production (api role). */
@Module({
  imports: [AlertsCoreModule, AgencyModesModule, TransactionsCoreModule, CentresCoreModule, WalkInCoreModule],
  providers: [
    {
      provide: GetOpsOverview,
      inject: [Catalogue, AgencyHealthProbe, AgencyCallWindow, AgencyModes, RetryQueue, TransactionRepository, CentreRepository, TicketRepository, KpiQuery, AlertRepository, Clock],
      useFactory: (
        catalogue: Catalogue,
        health: AgencyHealthProbe,
        calls: AgencyCallWindow,
        modes: AgencyModes,
        retries: RetryQueue,
        transactions: TransactionRepository,
        centres: CentreRepository,
        tickets: TicketRepository,
        kpis: KpiQuery,
        alerts: AlertRepository,
        clock: Clock,
      ) => new GetOpsOverview({ catalogue, health, calls, modes, retries, transactions, centres, tickets, kpis, alerts, clock }),
    },
    OpsQueueBoard,
  ],
  controllers: [OpsController],
})
export class OpsModule {}
