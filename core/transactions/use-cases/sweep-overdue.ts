import type { Clock } from '../../shared/clock';
import type { RetryQueue } from '../../retry-queue/retry-queue.port';
import type { TransactionRepository } from '../transaction.repository';
import type { AgencyCall } from './agency-call';
import type { DispatchAttempt } from './dispatch-attempt';

/**
 * Crash recovery: anything left in received/retrying past its due time (a process killed between
 * recording and dispatch, a retry job lost with Redis) is put back on the retry queue. Durability
 * therefore never depends on the queue. Dispatched transactions whose answer is overdue (file
 * drop) count as timed out: retried, or `manual` when attempts are exhausted.
 *
 * Agencies whose retries wait for their breaker's trial in this process are left out: their
 * retries are put back unclaimed, their rows keep a past due time, and re-enqueueing them would
 * only be a no-op per row (their jobs are still queued) that fills the batch before the
 * transactions this sweep is for. Once the trial has ended, they are swept as before.
 */
export class SweepOverdueTransactions {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly retries: RetryQueue,
    private readonly options: { graceMs: number; batch: number },
    private readonly unanswered: Pick<DispatchAttempt, 'recordNoAnswer'>,
    private readonly clock: Clock,
    private readonly agencies: Pick<AgencyCall, 'waitingForTrial'>,
  ) {}

  /** Returns how many transactions were re-enqueued or timed out. */
  async sweep(): Promise<number> {
    const now = this.clock.now();
    const overdue = await this.transactions.findOverdue(this.options.graceMs, this.options.batch, now, this.agencies.waitingForTrial());
    for (const tx of overdue) {
      await this.retries.schedule({ transactionId: tx.id, agencyCode: tx.agencyCode, attempt: tx.attempts + 1 }, 0);
    }
    const waiting = await this.transactions.findUnanswered(this.options.batch, now);
    for (const tx of waiting) await this.unanswered.recordNoAnswer(tx);
    return overdue.length + waiting.length;
  }
}
