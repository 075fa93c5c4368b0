import { Logger, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { AgencyRegistry } from '../../../adapters/registry';
import { Catalogue } from '../../../contracts/src/catalogue';
import { AgencyHealthProbe } from '../../../core/agencies/agency-health.port';
import { AgencyModeRepository } from '../../../core/agencies/agency-mode.repository';
import { AgencyModes } from '../../../core/agencies/agency-modes';
import { AuditLog } from '../../../core/audit/audit-log';
import { PersonalDataReads } from '../../../core/audit/personal-data-reads';
import { RetryQueue } from '../../../core/retry-queue/retry-queue.port';
import { Clock } from '../../../core/shared/clock';
import { PersonalDataVault } from '../../../core/shared/personal-data';
import { PgTransactionRepository } from '../../../core/transactions/pg/transaction.pg-repository';
import { TransactionRepository } from '../../../core/transactions/transaction.repository';
import { KiungoMetrics } from '../metrics/kiungo-metrics';
import { meteredTransactions } from '../metrics/metered-transaction.repository';
import { AcceptUnderFallback } from '../../../core/transactions/use-cases/accept-under-fallback';
import { AgencyCall } from '../../../core/transactions/use-cases/agency-call';
import { DispatchAttempt } from '../../../core/transactions/use-cases/dispatch-attempt';
import { GetTransaction } from '../../../core/transactions/use-cases/get-transaction';
import { ListTransactions } from '../../../core/transactions/use-cases/list-transactions';
import { HoldForFallback } from '../../../core/transactions/use-cases/hold-for-fallback';
import { RecordAgencyAnswer } from '../../../core/transactions/use-cases/record-agency-answer';
import { RecordManualOutcome } from '../../../core/transactions/use-cases/record-manual-outcome';
import { ReplayParked } from '../../../core/transactions/use-cases/replay-parked';
import { ReplayBacklog } from '../../../core/transactions/use-cases/replay-backlog';
import { ResolveConflict } from '../../../core/transactions/use-cases/resolve-conflict';
import { RetryTransaction } from '../../../core/transactions/use-cases/retry-transaction';
import { SubmitTransaction } from '../../../core/transactions/use-cases/submit-transaction';
import { SweepOverdueTransactions } from '../../../core/transactions/use-cases/sweep-overdue';
import { AgencyModesModule } from '../agencies/agency-modes.module';
import { DB_POOL, PREPARED_STATEMENTS } from '../runtime/tokens';

/** Lease on a background attempt: the longest agency timeout plus slack. */
function retryLeaseMs(catalogue: Catalogue): number {
  const longest = Math.max(1000, ...catalogue.agencies.map((a) => a.resilience.timeoutMs));
  return longest + 5000;
}

const providers = [
  {
    provide: TransactionRepository,
    inject: [DB_POOL, AuditLog, PREPARED_STATEMENTS, KiungoMetrics],
    useFactory: (pool: Pool, audit: AuditLog, prepared: boolean, metrics: KiungoMetrics) => {
      const repository = new PgTransactionRepository(pool, audit, prepared);
      return metrics.enabled ? meteredTransactions(repository, metrics) : repository;
    },
  },
  {
    provide: AgencyCall,
    inject: [TransactionRepository, Catalogue, AgencyRegistry, PersonalDataVault, Clock],
    useFactory: (transactions: TransactionRepository, catalogue: Catalogue, agencies: AgencyRegistry, vault: PersonalDataVault, clock: Clock) =>
      new AgencyCall(transactions, catalogue, agencies, vault, clock),
  },
  {
    provide: AcceptUnderFallback,
    inject: [AgencyModes, TransactionRepository, Clock],
    useFactory: (modes: AgencyModes, transactions: TransactionRepository, clock: Clock) => new AcceptUnderFallback(modes, transactions, clock),
  },
  {
    provide: HoldForFallback,
    inject: [AgencyModes, TransactionRepository, Catalogue, Clock],
    useFactory: (modes: AgencyModes, transactions: TransactionRepository, catalogue: Catalogue, clock: Clock) =>
      new HoldForFallback(modes, transactions, catalogue, clock),
  },
  {
    provide: DispatchAttempt,
    inject: [TransactionRepository, Catalogue, AgencyCall, RetryQueue, Clock, HoldForFallback],
    useFactory: (transactions: TransactionRepository, catalogue: Catalogue, call: AgencyCall, retries: RetryQueue, clock: Clock, hold: HoldForFallback) => {
      const logger = new Logger('DispatchAttempt');
      // Background attempts have no request: their lines correlate by the transaction id, which is what the agency gets too.
      const warn = (message: string, fields: { transactionId: string; correlationId?: string }) =>
        logger.warn({ correlationId: fields.correlationId ?? fields.transactionId, transactionId: fields.transactionId }, message);
      return new DispatchAttempt(transactions, catalogue, call, retries, clock, hold, warn);
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
    inject: [TransactionRepository, PersonalDataVault, Catalogue, PersonalDataReads],
    useFactory: (transactions: TransactionRepository, vault: PersonalDataVault, catalogue: Catalogue, reads: PersonalDataReads) =>
      new GetTransaction(transactions, vault, catalogue, reads),
  },
  {
    provide: ListTransactions,
    inject: [TransactionRepository, Catalogue],
    useFactory: (transactions: TransactionRepository, catalogue: Catalogue) => new ListTransactions(transactions, catalogue),
  },
  {
    provide: RetryTransaction,
    inject: [TransactionRepository, DispatchAttempt, Catalogue, Clock, AgencyCall, HoldForFallback],
    useFactory: (transactions: TransactionRepository, dispatch: DispatchAttempt, catalogue: Catalogue, clock: Clock, call: AgencyCall, hold: HoldForFallback) =>
      new RetryTransaction(transactions, dispatch, retryLeaseMs(catalogue), clock, call, hold),
  },
  {
    provide: SweepOverdueTransactions,
    inject: [TransactionRepository, RetryQueue, DispatchAttempt, Clock, AgencyCall],
    useFactory: (transactions: TransactionRepository, retries: RetryQueue, dispatch: DispatchAttempt, clock: Clock, call: AgencyCall) =>
      new SweepOverdueTransactions(transactions, retries, { graceMs: 2000, batch: 500 }, dispatch, clock, call),
  },
  {
    provide: RecordAgencyAnswer,
    inject: [TransactionRepository, AgencyCall, Clock],
    useFactory: (transactions: TransactionRepository, call: AgencyCall, clock: Clock) => new RecordAgencyAnswer(transactions, call, clock),
  },
  {
    provide: ReplayBacklog,
    inject: [TransactionRepository, Catalogue, AgencyModes, AgencyModeRepository, AgencyHealthProbe, AgencyCall, PersonalDataVault, Clock],
    useFactory: (
      transactions: TransactionRepository,
      catalogue: Catalogue,
      modes: AgencyModes,
      leases: AgencyModeRepository,
      health: AgencyHealthProbe,
      call: AgencyCall,
      vault: PersonalDataVault,
      clock: Clock,
    ) => new ReplayBacklog(transactions, catalogue, modes, leases, health, call, vault, clock),
  },
  { provide: RecordManualOutcome, inject: [TransactionRepository, Clock], useFactory: (t: TransactionRepository, clock: Clock) => new RecordManualOutcome(t, clock) },
  { provide: ReplayParked, inject: [TransactionRepository, Clock], useFactory: (t: TransactionRepository, clock: Clock) => new ReplayParked(t, clock) },
  { provide: ResolveConflict, inject: [TransactionRepository, Clock], useFactory: (t: TransactionRepository, clock: Clock) => new ResolveConflict(t, clock) },
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
