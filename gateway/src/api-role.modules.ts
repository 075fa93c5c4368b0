import type { Type } from '@nestjs/common';
import { AgenciesModule } from './agencies/agencies.module';
import { AuditModule } from './audit/audit.module';
import { BookingsModule } from './bookings/bookings.module';
import { CentresModule } from './centres/centres.module';
import { FollowUpModule } from './follow-up/follow-up.module';
import { OpsModule } from './ops/ops.module';
import { PrivacyModule } from './privacy/privacy.module';
import { ReceiptsModule } from './receipts/receipts.module';
import { ReconciliationModule } from './reconciliation/reconciliation.module';
import { ReplayTasksModule } from './replay-tasks/replay-tasks.module';
import { ServicesModule } from './services/services.module';
import { TransactionsModule } from './transactions/transactions.module';
import { UssdModule } from './ussd/ussd.module';
import { BoardsModule } from './walk-in/boards/boards.module';
import { CountersModule } from './walk-in/counters/counters.module';
import { KpisModule } from './walk-in/kpis/kpis.module';
import { TicketsModule } from './walk-in/tickets/tickets.module';

/** The api role's feature modules: its controllers and what only they use (app.module.ts loads this file only in a process that serves the API). */
export const API_ROLE_MODULES: readonly Type[] = [
  ServicesModule,
  TransactionsModule,
  AgenciesModule,
  CentresModule,
  BookingsModule,
  TicketsModule,
  CountersModule,
  BoardsModule,
  KpisModule,
  ReconciliationModule,
  ReplayTasksModule,
  UssdModule,
  FollowUpModule,
  AuditModule,
  PrivacyModule,
  OpsModule,
  ReceiptsModule,
];
