import type { Clock } from '../../shared/clock';
import type { RetryJob } from '../../retry-queue/retry-queue.port';
import type { TransactionRepository } from '../transaction.repository';
import { SYSTEM_ACTORS } from '../domain/transaction-events';
import type { DispatchAttempt } from './dispatch-attempt';

/**
 * The worker's handler for a retry job. The job carries only the id: the row decides. If the
 * transaction is not due, already finished, or held by another worker, the job does nothing.
 */
export class RetryTransaction {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly dispatch: DispatchAttempt,
    private readonly leaseMs: number,
    private readonly clock: Clock,
  ) {}

  async handle(job: RetryJob): Promise<void> {
    const claimed = await this.transactions.claimAttempt(job.transactionId, this.leaseMs, this.clock.now());
    if (!claimed) return;
    await this.dispatch.run(claimed, { inline: false, actor: SYSTEM_ACTORS.worker });
  }
}
