import { Global, Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { AuditLog } from '../../../core/audit/audit-log';
import { IdempotencyRepository } from '../../../core/idempotency/idempotency.repository';
import { PgIdempotencyRepository } from '../../../core/idempotency/pg/idempotency.pg-repository';
import { TransactionRepository } from '../../../core/transactions/transaction.repository';
import { PgTransactionRepository } from '../../../core/transactions/pg/transaction.pg-repository';
import { DispatchAttempt } from '../../../core/transactions/use-cases/dispatch-attempt';
import { GetTransaction } from '../../../core/transactions/use-cases/get-transaction';
import { RecordAgencyAnswer } from '../../../core/transactions/use-cases/record-agency-answer';
import { RetryTransaction } from '../../../core/transactions/use-cases/retry-transaction';
import { SubmitTransaction } from '../../../core/transactions/use-cases/submit-transaction';
import { SweepOverdueTransactions } from '../../../core/transactions/use-cases/sweep-overdue';
import { BOOKINGS_CORE_EXPORTS, bookingsCoreProviders } from '../bookings/bookings-core.providers';
import { QUEUEING_CORE_EXPORTS, queueingCoreProviders } from '../walk-in/tickets/walk-in-core.providers';
import { AcceptUnderFallback } from '../../../core/transactions/use-cases/accept-under-fallback';
import { HoldForFallback } from '../../../core/transactions/use-cases/hold-for-fallback';
import { FALLBACK_EXPORTS, fallbackProviders } from '../agencies/fallback.providers';
import { KIUNGO_RUNTIME, type KiungoRuntime } from './runtime';

/** Lease on a background attempt: the longest agency timeout plus slack. */
function retryLeaseMs(runtime: KiungoRuntime): number {
  const longest = Math.max(1000, ...runtime.catalogue.agencies.map((a) => a.resilience.timeoutMs));
  return longest + 5000;
}

/** Releases the runtime (queue, agencies, pool, embedded database) when the application closes. */
@Injectable()
class RuntimeLifecycle implements OnApplicationShutdown {
  constructor(@Inject(KIUNGO_RUNTIME) private readonly runtime: KiungoRuntime) {}

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }
}

/**
 * Wires the core's ports to the runtime's infrastructure and exposes the use cases to the
 * controllers and the worker. Plain classes, built by factories: the core knows nothing of Nest.
 */
@Global()
@Module({})
export class CoreModule {
  static forRuntime(runtime: KiungoRuntime): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: KIUNGO_RUNTIME, useValue: runtime },
        RuntimeLifecycle,
        ...fallbackProviders(runtime),
        { provide: AuditLog, useValue: runtime.audit },
        { provide: TransactionRepository, useFactory: () => new PgTransactionRepository(runtime.pool, runtime.audit, runtime.preparedStatements) },
        { provide: IdempotencyRepository, useFactory: () => new PgIdempotencyRepository(runtime.pool) },
        {
          provide: DispatchAttempt,
          inject: [TransactionRepository, HoldForFallback],
          useFactory: (transactions: TransactionRepository, hold: HoldForFallback) =>
            new DispatchAttempt(
              transactions,
              runtime.catalogue,
              runtime.agencies,
              runtime.retries,
              runtime.vault,
              runtime.clock,
              (message) => new Logger('DispatchAttempt').warn(message),
              hold,
            ),
        },
        {
          provide: SubmitTransaction,
          inject: [TransactionRepository, DispatchAttempt, AcceptUnderFallback],
          useFactory: (transactions: TransactionRepository, dispatch: DispatchAttempt, fallback: AcceptUnderFallback) =>
            new SubmitTransaction(transactions, runtime.catalogue, dispatch, runtime.vault, runtime.clock, fallback),
        },
        {
          provide: GetTransaction,
          inject: [TransactionRepository],
          useFactory: (transactions: TransactionRepository) => new GetTransaction(transactions, runtime.vault),
        },
        {
          provide: RetryTransaction,
          inject: [TransactionRepository, DispatchAttempt],
          useFactory: (transactions: TransactionRepository, dispatch: DispatchAttempt) =>
            new RetryTransaction(transactions, dispatch, retryLeaseMs(runtime)),
        },
        {
          provide: SweepOverdueTransactions,
          inject: [TransactionRepository, DispatchAttempt],
          useFactory: (transactions: TransactionRepository, dispatch: DispatchAttempt) =>
            new SweepOverdueTransactions(transactions, runtime.retries, { graceMs: 2000, batch: 500 }, dispatch),
        },
        {
          provide: RecordAgencyAnswer,
          inject: [TransactionRepository],
          useFactory: (transactions: TransactionRepository) => new RecordAgencyAnswer(transactions, runtime.clock),
        },
        ...bookingsCoreProviders(runtime),
        ...queueingCoreProviders(runtime),
      ],
      exports: [
        KIUNGO_RUNTIME,
        ...FALLBACK_EXPORTS,
        AuditLog,
        TransactionRepository,
        IdempotencyRepository,
        DispatchAttempt,
        SubmitTransaction,
        GetTransaction,
        RetryTransaction,
        SweepOverdueTransactions,
        RecordAgencyAnswer,
        ...BOOKINGS_CORE_EXPORTS,
        ...QUEUEING_CORE_EXPORTS,
      ],
    };
  }
}
