import { Logger, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { AgencyRegistry } from '../../../adapters/registry';
import { Catalogue } from '../../../contracts/src/catalogue';
import { AgencyModes } from '../../../core/agencies/agency-modes';
import { AuditLog } from '../../../core/audit/audit-log';
import { RetryQueue } from '../../../core/retry-queue/retry-queue.port';
import { Clock } from '../../../core/shared/clock';
import { PersonalDataVault } from '../../../core/shared/personal-data';
import { CompletionNotifier } from '../../../core/transactions/completion-notifier.port';
import { FallbackRepository } from '../../../core/transactions/fallback.repository';
import { PgFallbackRepository } from '../../../core/transactions/pg/fallback.pg-repository';
import { PgTransactionRepository } from '../../../core/transactions/pg/transaction.pg-repository';
import { TransactionRepository } from '../../../core/transactions/transaction.repository';
import { AcceptUnderFallback } from '../../../core/transactions/use-cases/accept-under-fallback';
import { DispatchAttempt } from '../../../core/transactions/use-cases/dispatch-attempt';
import { GetTransaction } from '../../../core/transactions/use-cases/get-transaction';
import { HoldForFallback } from '../../../core/transactions/use-cases/hold-for-fallback';
import { RecordAgencyAnswer } from '../../../core/transactions/use-cases/record-agency-answer';
import { RecordManualOutcome } from '../../../core/transactions/use-cases/record-manual-outcome';
import { ReplayParked } from '../../../core/transactions/use-cases/replay-parked';
import { ReplayStoredTransactions } from '../../../core/transactions/use-cases/replay-stored';
import { ResolveConflict } from '../../../core/transactions/use-cases/resolve-conflict';
import { RetryTransaction } from '../../../core/transactions/use-cases/retry-transaction';
import { SubmitTransaction } from '../../../core/transactions/use-cases/submit-transaction';
import { SweepOverdueTransactions } from '../../../core/transactions/use-cases/sweep-overdue';
import { AgencyModesModule } from '../agencies/agency-modes.module';
import { DB_POOL, PREPARED_STATEMENTS } from '../runtime/tokens';
import { LogCompletionNotifier } from './log-completion.notifier';

/** Lease on a background attempt: the longest agency timeout plus slack. */
function retryLeaseMs(catalogue: Catalogue): number {
  const longest = Math.max(1000, ...catalogue.agencies.map((a) => a.resilience.timeoutMs));
  return longest + 5000;
}

const providers = [
  {
    provide: TransactionRepository,
    inject: [DB_POOL, AuditLog, PREPARED_STATEMENTS],
    useFactory: (pool: Pool, audit: AuditLog, prepared: boolean) => new PgTransactionRepository(pool, audit, prepared),
  },
  { provide: FallbackRepository, inject: [DB_POOL, AuditLog], useFactory: (pool: Pool, audit: AuditLog) => new PgFallbackRepository(pool, audit) },
  { provide: CompletionNotifier, useClass: LogCompletionNotifier },
  {
    provide: AcceptUnderFallback,
    inject: [AgencyModes, FallbackRepository],
    useFactory: (modes: AgencyModes, fallbacks: FallbackRepository) => new AcceptUnderFallback(modes, fallbacks),
  },
  {
    provide: HoldForFallback,
    inject: [AgencyModes, TransactionRepository, FallbackRepository, Catalogue, Clock],
    useFactory: (modes: AgencyModes, transactions: TransactionRepository, fallbacks: FallbackRepository, catalogue: Catalogue, clock: Clock) =>
      new HoldForFallback(modes, transactions, fallbacks, catalogue, clock),
  },
  {
    provide: DispatchAttempt,
    inject: [TransactionRepository, Catalogue, AgencyRegistry, RetryQueue, PersonalDataVault, Clock, HoldForFallback],
    useFactory: (
      transactions: TransactionRepository,
      catalogue: Catalogue,
      agencies: AgencyRegistry,
      retries: RetryQueue,
      vault: PersonalDataVault,
      clock: Clock,
      hold: HoldForFallback,
    ) => {
      const logger = new Logger('DispatchAttempt');
      return new DispatchAttempt(transactions, catalogue, agencies, retries, vault, clock, (message) => logger.warn(message), hold);
    },
  },
  {
    provide: SubmitTransaction,
    inject: [TransactionRepository, Catalogue, DispatchAttempt, PersonalDataVault, Clock, AcceptUnderFallback],
    useFactory: (
      transactions: TransactionRepository,
      catalogue: Catalogue,
      dispatch: DispatchAttempt,
      vault: PersonalDataVault,
      clock: Clock,
      fallback: AcceptUnderFallback,
    ) => new SubmitTransaction(transactions, catalogue, dispatch, vault, clock, fallback),
  },
  {
    provide: GetTransaction,
    inject: [TransactionRepository, PersonalDataVault],
    useFactory: (transactions: TransactionRepository, vault: PersonalDataVault) => new GetTransaction(transactions, vault),
  },
  {
    provide: RetryTransaction,
    inject: [TransactionRepository, DispatchAttempt, Catalogue],
    useFactory: (transactions: TransactionRepository, dispatch: DispatchAttempt, catalogue: Catalogue) =>
      new RetryTransaction(transactions, dispatch, retryLeaseMs(catalogue)),
  },
  {
    provide: SweepOverdueTransactions,
    inject: [TransactionRepository, RetryQueue, DispatchAttempt],
    useFactory: (transactions: TransactionRepository, retries: RetryQueue, dispatch: DispatchAttempt) =>
      new SweepOverdueTransactions(transactions, retries, { graceMs: 2000, batch: 500 }, dispatch),
  },
  {
    provide: RecordAgencyAnswer,
    inject: [TransactionRepository, Clock],
    useFactory: (transactions: TransactionRepository, clock: Clock) => new RecordAgencyAnswer(transactions, clock),
  },
  {
    provide: ReplayStoredTransactions,
    inject: [FallbackRepository, Catalogue, AgencyRegistry, PersonalDataVault, Clock, CompletionNotifier],
    useFactory: (
      fallbacks: FallbackRepository,
      catalogue: Catalogue,
      agencies: AgencyRegistry,
      vault: PersonalDataVault,
      clock: Clock,
      notifier: CompletionNotifier,
    ) => new ReplayStoredTransactions(fallbacks, catalogue, agencies, vault, clock, notifier),
  },
  { provide: RecordManualOutcome, inject: [FallbackRepository, Clock], useFactory: (f: FallbackRepository, clock: Clock) => new RecordManualOutcome(f, clock) },
  { provide: ReplayParked, inject: [FallbackRepository, Clock], useFactory: (f: FallbackRepository, clock: Clock) => new ReplayParked(f, clock) },
  { provide: ResolveConflict, inject: [FallbackRepository, Clock], useFactory: (f: FallbackRepository, clock: Clock) => new ResolveConflict(f, clock) },
];

/**
 * The transaction lifecycle: submit, dispatch, retry, sweep, file-drop answers, and the manual
 * fallback (hold, accept, replay, parked list, manual outcome, conflicts). Used by the
 * transactions, agencies and reconciliation controllers and by the worker.
 */
@Module({
  imports: [AgencyModesModule],
  providers,
  exports: providers.map((p) => p.provide),
})
export class TransactionsCoreModule {}
