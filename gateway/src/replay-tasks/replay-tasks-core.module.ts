import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { AuditLog } from '../../../core/audit/audit-log';
import { PgReplayTaskRepository } from '../../../core/replay-tasks/pg/replay-task.pg-repository';
import { ReplayTaskRepository } from '../../../core/replay-tasks/replay-task.repository';
import { ControlReplayTask } from '../../../core/replay-tasks/use-cases/control-replay-task';
import { CreateReplayTask } from '../../../core/replay-tasks/use-cases/create-replay-task';
import { RunReplayTasks } from '../../../core/replay-tasks/use-cases/run-replay-tasks';
import { Clock } from '../../../core/shared/clock';
import { TransactionRepository } from '../../../core/transactions/transaction.repository';
import { TransactionsCoreModule } from '../transactions/transactions-core.module';
import { DB_POOL } from '../runtime/tokens';

const providers = [
  { provide: ReplayTaskRepository, inject: [DB_POOL, AuditLog], useFactory: (pool: Pool, audit: AuditLog) => new PgReplayTaskRepository(pool, audit) },
  {
    provide: CreateReplayTask,
    inject: [ReplayTaskRepository, TransactionRepository, Clock],
    useFactory: (tasks: ReplayTaskRepository, transactions: TransactionRepository, clock: Clock) => new CreateReplayTask(tasks, transactions, clock),
  },
  { provide: ControlReplayTask, inject: [ReplayTaskRepository, Clock], useFactory: (tasks: ReplayTaskRepository, clock: Clock) => new ControlReplayTask(tasks, clock) },
  {
    provide: RunReplayTasks,
    inject: [ReplayTaskRepository, TransactionRepository, Clock],
    useFactory: (tasks: ReplayTaskRepository, transactions: TransactionRepository, clock: Clock) => new RunReplayTasks(tasks, transactions, clock),
  },
];

/** Bulk replay tasks: created and steered through the API, run by the worker. */
@Module({ imports: [TransactionsCoreModule], providers, exports: providers.map((p) => p.provide) })
export class ReplayTasksCoreModule {}
