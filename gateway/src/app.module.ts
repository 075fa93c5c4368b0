import { Module, type DynamicModule } from '@nestjs/common';
import { AgenciesModule } from './agencies/agencies.module';
import { BoardsModule } from './walk-in/boards/boards.module';
import { BookingsModule } from './bookings/bookings.module';
import { CentresModule } from './centres/centres.module';
import { CountersModule } from './walk-in/counters/counters.module';
import { HealthModule } from './health/health.module';
import { KpisModule } from './walk-in/kpis/kpis.module';
import { MetricsModule } from './metrics/metrics.module';
import { AgencyCallLog } from './logging/agency-call-log';
import { PlatformModule, type PlatformOptions } from './platform';
import { FollowUpModule } from './follow-up/follow-up.module';
import { ReceiptsModule } from './receipts/receipts.module';
import { ReconciliationModule } from './reconciliation/reconciliation.module';
import { ReplayTasksModule } from './replay-tasks/replay-tasks.module';
import type { KiungoRuntime } from './runtime/runtime';
import { RuntimeModule } from './runtime/runtime.module';
import { ServicesModule } from './services/services.module';
import { TicketsModule } from './walk-in/tickets/tickets.module';
import { TransactionsModule } from './transactions/transactions.module';
import { UssdModule } from './ussd/ussd.module';
import { AgencyAppointmentsWorkerModule } from './agency-appointments/agency-appointments-worker';
import { BookingJobsModule } from './worker/booking-jobs.module';
import { OutageWatchModule } from './worker/outage-watch.module';
import { WorkerModule } from './worker/worker.module';
import { AuditSealingModule } from './audit/audit-sealing.module';
import { AuditModule } from './audit/audit.module';
import { PrivacyModule } from './privacy/privacy.module';
import { RetentionModule } from './privacy/retention.module';
import { AlertsWorkerModule } from './ops/alerts-worker.module';
import { OpsModule } from './ops/ops.module';

/** The api role serves the HTTP API; the worker role consumes queues and sweeps; `all` does both. */
@Module({})
export class AppModule {
  /** `platform.logger`: tests pass one that checks every line (test/factories/log-leaks.ts). */
  static forRuntime(runtime: KiungoRuntime, platform: PlatformOptions = {}): DynamicModule {
    const api = runtime.role === 'all' || runtime.role === 'api';
    const worker = runtime.role === 'all' || runtime.role === 'worker';
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(runtime.config, platform),
        RuntimeModule.forRuntime(runtime),
        HealthModule,
        MetricsModule.forRole(worker),
        ...(api ? [ServicesModule, TransactionsModule, AgenciesModule] : []),
        ...(api ? [CentresModule, BookingsModule] : []),
        ...(api ? [TicketsModule, CountersModule, BoardsModule, KpisModule] : []),
        ...(api ? [ReconciliationModule, ReplayTasksModule] : []),
        ...(api ? [UssdModule, FollowUpModule] : []),
        ...(api ? [AuditModule, PrivacyModule] : []),
        ...(api ? [OpsModule] : []),
        ...(api ? [ReceiptsModule] : []),
        ...(worker ? [WorkerModule] : []),
        ...(worker ? [BookingJobsModule, OutageWatchModule] : []),
        ...(worker ? [AgencyAppointmentsWorkerModule] : []),
        ...(worker ? [AuditSealingModule, RetentionModule] : []),
        ...(worker ? [AlertsWorkerModule] : []),
      ],
      // Every role calls agencies (inline, retries, replays, status look-ups): one log line per call.
      providers: [AgencyCallLog],
    };
  }
}
