import type { Clock } from '../../shared/clock';
import type { RetryJob, RetryLater } from '../../retry-queue/retry-queue.port';
import type { TransactionRepository } from '../transaction.repository';
import { SYSTEM_ACTORS } from '../domain/transaction-events';
import type { AgencyCall } from './agency-call';
import type { DispatchAttempt } from './dispatch-attempt';
import type { HoldForFallback } from './hold-for-fallback';

/**
 * The worker's handler for a retry job. The job carries only the id: the row decides. If the
 * transaction is not due, already finished, or held by another worker, the job does nothing.
 *
 * While the agency's breaker is open, or half-open with its trial in flight, the job is put back
 * unclaimed until the next trial (RetryLater): only the trial's transaction is claimed and sent,
 * the others cost neither a claim nor an outcome, nor one of their attempts. Its row keeps the due
 * time it had, so if the worker dies the sweeper still finds it. An agency whose mode falls back
 * (manual, maintenance, degraded) is not waited for: its retries are held without a call.
 */
export class RetryTransaction {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly dispatch: DispatchAttempt,
    private readonly leaseMs: number,
    private readonly clock: Clock,
    private readonly agencies: Pick<AgencyCall, 'admit'>,
    private readonly fallback: Pick<HoldForFallback, 'holds'>,
  ) {}

  async handle(job: RetryJob): Promise<RetryLater | undefined> {
    const admission = this.agencies.admit(job.agencyCode);
    if (admission.kind === 'wait' && !(await this.fallback.holds(job.agencyCode))) return { laterMs: admission.retryAfterMs };
    try {
      const claimed = await this.transactions.claimAttempt(job.transactionId, this.leaseMs, this.clock.now());
      if (!claimed) return undefined;
      await this.dispatch.run(claimed, { inline: false, actor: SYSTEM_ACTORS.worker });
      return undefined;
    } finally {
      if (admission.kind === 'go') admission.done();
    }
  }
}
