import type { RetryQueue } from '../../queue/retry-queue.port';
import type { TransactionRepository } from '../transaction.repository';

/**
 * Crash recovery: anything left in received/retrying past its due time (a process killed between
 * recording and dispatch, a retry job lost with Redis) is put back on the retry queue. Durability
 * therefore never depends on the queue.
 */
export class SweepOverdueTransactions {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly retries: RetryQueue,
    private readonly options: { graceMs: number; batch: number },
  ) {}

  /** Returns how many transactions were re-enqueued. */
  async sweep(): Promise<number> {
    const overdue = await this.transactions.findOverdue(this.options.graceMs, this.options.batch);
    for (const tx of overdue) {
      await this.retries.schedule({ transactionId: tx.id, agencyCode: tx.agencyCode, attempt: tx.attempts + 1 }, 0);
    }
    return overdue.length;
  }
}
