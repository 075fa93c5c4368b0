import type { Type } from '@nestjs/common';
import { AgencyAppointmentsWorkerModule } from './agency-appointments/agency-appointments-worker';
import { AuditSealingModule } from './audit/audit-sealing.module';
import { AlertsWorkerModule } from './ops/alerts-worker.module';
import { RetentionModule } from './privacy/retention.module';
import { BookingJobsModule } from './worker/booking-jobs.module';
import { OutageWatchModule } from './worker/outage-watch.module';
import { WorkerModule } from './worker/worker.module';

/** The worker role's modules: queue consumers, sweeps and alerts (app.module.ts loads this file only in a process that runs them). */
export const WORKER_ROLE_MODULES: readonly Type[] = [
  WorkerModule,
  BookingJobsModule,
  OutageWatchModule,
  AgencyAppointmentsWorkerModule,
  AuditSealingModule,
  RetentionModule,
  AlertsWorkerModule,
];
