import type { Catalogue } from '../../../contracts/src/catalogue';
import type { AgencyOutcome } from '../../../contracts/src/dispatch';
import type { NewAuditEvent } from '../../audit/audit-event';
import type { RetryQueue } from '../../retry-queue/retry-queue.port';
import type { Clock } from '../../shared/clock';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { AgencyGateway } from '../agency-gateway.port';
import { decideAfterAttempt, type AttemptDecision } from '../domain/attempt-outcome';
import type { TransactionRecord } from '../domain/transaction';
import type { StateChange, TransactionRepository } from '../transaction.repository';
import type { HoldForFallback } from './hold-for-fallback';

export const WORKER_ACTOR = 'system:worker';

/**
 * One attempt at the agency for a transaction whose attempt was already claimed: call, decide,
 * record the outcome with its events, and schedule the next try when there is one.
 */
export class DispatchAttempt {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly catalogue: Catalogue,
    private readonly agencies: AgencyGateway,
    private readonly retries: RetryQueue,
    private readonly vault: PersonalDataVault,
    private readonly clock: Clock,
    private readonly warn: (message: string) => void,
    /** Manual fallback: retries for an agency in manual/maintenance/degraded mode go to `manual` without a call. */
    private readonly fallback: Pick<HoldForFallback, 'hold'>,
  ) {}

  async run(claimed: TransactionRecord, options: { inline: boolean; actor: string; correlationId?: string }): Promise<TransactionRecord> {
    const held = options.inline ? null : await this.fallback.hold(claimed, options.actor);
    if (held) return held;
    const service = this.catalogue.service(claimed.serviceCode);
    const dispatchedAt = this.clock.now();
    const outcome = service
      ? await this.agencies.dispatch(
          claimed.agencyCode,
          {
            transactionId: claimed.id,
            serviceCode: claimed.serviceCode,
            payload: this.vault.open<Record<string, unknown>>(claimed.payloadSealed),
            attempt: claimed.attempts,
            correlationId: options.correlationId,
          },
          { inline: options.inline },
        )
      : ({ kind: 'transient', code: 'misconfigured', reason: `service ${claimed.serviceCode} is no longer in the catalogue` } as const);

    return this.record(claimed, outcome, { actor: options.actor, dispatched: { at: dispatchedAt, inline: options.inline } });
  }

  /**
   * A dispatched transaction whose answer did not come in time (file drop): its attempt counts as
   * timed out, so it is retried (the request file written again, under the same name) or, when
   * attempts are exhausted, goes to `manual`.
   */
  async recordNoAnswer(dispatched: TransactionRecord): Promise<TransactionRecord> {
    const since = dispatched.nextAttemptAt ? ` by ${dispatched.nextAttemptAt.toISOString()}` : '';
    return this.record(dispatched, { kind: 'transient', code: 'timeout', reason: `no answer from the agency${since}` }, { actor: WORKER_ACTOR });
  }

  private async record(
    claimed: TransactionRecord,
    outcome: AgencyOutcome,
    options: { actor: string; dispatched?: { at: Date; inline: boolean } },
  ): Promise<TransactionRecord> {
    const service = this.catalogue.service(claimed.serviceCode);
    const retryPolicy = service?.retry ?? { maxAttempts: claimed.maxAttempts, baseDelayMs: 1000, maxDelayMs: 300_000 };
    const decision = decideAfterAttempt(outcome, claimed.attempts, claimed.maxAttempts, retryPolicy);
    const decidedAt = this.clock.now();
    const change = toStateChange(decision, decidedAt);
    const event = (type: string, at: Date, data: Record<string, unknown>): NewAuditEvent => ({
      entityType: 'transaction',
      entityId: claimed.id,
      type,
      actor: options.actor,
      data,
      occurredAt: at,
    });
    const events: NewAuditEvent[] = [];
    if (options.dispatched) events.push(event('dispatched', options.dispatched.at, { attempt: claimed.attempts, inline: options.dispatched.inline }));
    if (decision.state !== 'dispatched') events.push(event(decision.state, decidedAt, eventData(decision, claimed.attempts)));

    const updated = await this.transactions.applyAttempt(claimed.id, claimed.attempts, change, events);
    if (!updated) {
      // Someone else moved the transaction on (cancelled, or a newer attempt): their word stands.
      return (await this.transactions.findById(claimed.id)) ?? claimed;
    }
    if (decision.state === 'retrying') {
      const job = { transactionId: claimed.id, agencyCode: claimed.agencyCode, attempt: claimed.attempts + 1 };
      await this.retries.schedule(job, decision.retryInMs).catch((error: Error) => {
        // The row already says when the next attempt is due; the sweeper will find it.
        this.warn(`could not schedule retry ${job.attempt} of transaction ${job.transactionId}; the sweeper will: ${error.message}`);
      });
    }
    return updated;
  }
}

function toStateChange(decision: AttemptDecision, now: Date): StateChange {
  switch (decision.state) {
    case 'completed':
      return { state: 'completed', agencyRef: decision.agencyRef, result: decision.result, lastError: null, nextAttemptAt: null };
    case 'rejected':
      return { state: 'rejected', lastError: decision.error, nextAttemptAt: null };
    case 'dispatched':
      // Past this time without an answer, the sweeper counts the attempt as timed out.
      return { state: 'dispatched', lastError: null, nextAttemptAt: new Date(now.getTime() + decision.answerDueInMs) };
    case 'retrying':
      return { state: 'retrying', lastError: decision.error, nextAttemptAt: new Date(now.getTime() + decision.retryInMs) };
    case 'manual':
      return { state: 'manual', lastError: decision.error, nextAttemptAt: null };
  }
}

function eventData(decision: AttemptDecision, attempt: number): Record<string, unknown> {
  switch (decision.state) {
    case 'completed':
      return { attempt, agencyRef: decision.agencyRef };
    case 'rejected':
    case 'manual':
      return { attempt, code: decision.error.code, reason: decision.error.reason };
    case 'retrying':
      return { attempt, code: decision.error.code, reason: decision.error.reason, retryInMs: decision.retryInMs };
    case 'dispatched':
      return { attempt };
  }
}
