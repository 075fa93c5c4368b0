import type { AuditEvent, NewAuditEvent } from '../../../core/audit/audit-event';
import type { ReplayCursor, ReplayFilters } from '../../../core/replay-tasks/domain/replay-task';
import type { NewTransaction, Transaction, TransactionStep } from '../../../core/transactions/domain/transaction';
import {
  TransactionRepository,
  type Applied,
  type ApplyOptions,
  type ListFilter,
  type OverdueTransaction,
  type RecordOptions,
  type Recording,
  type ReplayProgress,
} from '../../../core/transactions/transaction.repository';
import type { KiungoMetrics } from './kiungo-metrics';

/**
 * The transaction port with a counter on it: every transaction recorded (`received`) and every
 * step that changed a state is counted in `kiungo_transactions_total`, by the process that wrote
 * it. Every change goes through `record` and `apply` (the port's rule), so nothing is missed, and
 * the core never hears of Prometheus.
 */
export class MeteredTransactionRepository extends TransactionRepository {
  constructor(
    private readonly inner: TransactionRepository,
    private readonly metrics: KiungoMetrics,
  ) {
    super();
  }

  async record(transaction: NewTransaction, events: NewAuditEvent[], options?: RecordOptions): Promise<Recording> {
    const recording = await this.inner.record(transaction, events, options);
    if (recording.kind === 'created') {
      // Recorded straight past `received` (its agency's breaker was open, or a fallback took it): it entered both.
      if (recording.transaction.state !== 'received' && events[0]?.type === 'received') this.metrics.transactionEntered({ ...recording.transaction, state: 'received' });
      this.metrics.transactionEntered(recording.transaction);
    }
    return recording;
  }

  async apply(id: string, step: TransactionStep, options?: ApplyOptions): Promise<Applied | null> {
    const applied = await this.inner.apply(id, step, options);
    if (applied) {
      this.metrics.transactionEntered(applied.transaction);
      if (step.change.replayed) this.metrics.replayed(applied.transaction);
    }
    return applied;
  }

  find(id: string): Promise<Transaction | null> {
    return this.inner.find(id);
  }

  findByReference(reference: string, limit: number): Promise<Transaction[]> {
    return this.inner.findByReference(reference, limit);
  }

  history(id: string): Promise<AuditEvent[]> {
    return this.inner.history(id);
  }

  list(filter: ListFilter): Promise<Transaction[]> {
    return this.inner.list(filter);
  }

  claimAttempt(id: string, leaseMs: number): Promise<Transaction | null> {
    return this.inner.claimAttempt(id, leaseMs);
  }

  claimNextReplay(agencyCode: string, owner: string, leaseMs: number): Promise<Transaction | null> {
    return this.inner.claimNextReplay(agencyCode, owner, leaseMs);
  }

  findOverdue(graceMs: number, limit: number): Promise<OverdueTransaction[]> {
    return this.inner.findOverdue(graceMs, limit);
  }

  findUnanswered(limit: number): Promise<Transaction[]> {
    return this.inner.findUnanswered(limit);
  }

  openCountsByAgency(): ReturnType<TransactionRepository['openCountsByAgency']> {
    return this.inner.openCountsByAgency();
  }

  replayProgress(agencyCode: string): Promise<ReplayProgress> {
    return this.inner.replayProgress(agencyCode);
  }

  backlogByAgency(): Promise<Record<string, number>> {
    return this.inner.backlogByAgency();
  }

  hasBacklog(agencyCode: string): Promise<boolean> {
    return this.inner.hasBacklog(agencyCode);
  }

  listReplayable(filters: ReplayFilters, after: ReplayCursor | null, limit: number): Promise<Transaction[]> {
    return this.inner.listReplayable(filters, after, limit);
  }

  countReplayable(filters: ReplayFilters): Promise<number> {
    return this.inner.countReplayable(filters);
  }
}
