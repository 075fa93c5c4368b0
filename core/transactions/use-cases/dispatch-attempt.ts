import type { Catalogue } from '../../../contracts/src/catalogue';
import type { AgencyOutcome } from '../../../contracts/src/dispatch';
import type { RetryQueue } from '../../retry-queue/retry-queue.port';
import type { Clock } from '../../shared/clock';
import { nextState, type Arrival } from '../domain/agency-outcome';
import type { InlineAnswer } from '../../idempotency/domain/idempotent-request';
import type { NewAuditEvent } from '../../audit/audit-event';
import { afterChange, asRecorded, type NewTransaction, type Transaction } from '../domain/transaction';
import type { TransactionRepository } from '../transaction.repository';
import type { AgencyCall } from './agency-call';
import type { HoldForFallback } from './hold-for-fallback';

/** An inline attempt decided without a call (DispatchAttempt.refusedAtOnce): the row to record and the refusal that decided it. */
export interface RefusedAtOnce {
  transaction: Transaction;
  events: NewAuditEvent[];
  refusal: AgencyOutcome;
}

/**
 * One attempt at the agency for a transaction whose attempt was already claimed: call, decide,
 * record the outcome with its events, and schedule the next try when there is one.
 */
export class DispatchAttempt {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly catalogue: Catalogue,
    private readonly call: AgencyCall,
    private readonly retries: RetryQueue,
    private readonly clock: Clock,
    /** Retries for an agency in manual/maintenance/degraded mode go to `manual` without a call. */
    private readonly fallback: Pick<HoldForFallback, 'hold'>,
    /** A use-case warning, with the transaction and (inline) the request's correlation id for the log line. */
    private readonly warn: (message: string, fields: { transactionId: string; correlationId?: string }) => void = () => undefined,
  ) {}

  /**
   * `answer`: the caller's idempotency answer, stored with the outcome when it can be (see InlineKey).
   * `payload`: the transaction's payload in the clear, when the caller has it (see AgencyCall.send).
   */
  async run(
    claimed: Transaction,
    options: { inline: boolean; actor: string; correlationId?: string; answer?: InlineAnswer<Transaction>; payload?: Record<string, unknown> },
  ): Promise<Transaction> {
    const held = options.inline ? null : await this.fallback.hold(claimed, options.actor);
    if (held) return held;
    const sentAt = this.clock.now();
    const outcome = await this.call.send(claimed, options);
    return this.record(claimed, outcome, { via: 'attempt', actor: options.actor, sentAt, inline: options.inline }, options.correlationId, options.answer);
  }

  /**
   * The inline attempt of a transaction about to be recorded, when its agency refuses calls now
   * (breaker open): the outcome is known without a call, so the row is recorded straight in the
   * state it leads to (`retrying`, due at the breaker's next trial), with all its events, in one
   * statement, and no retry job: the due time and the sweeper bring it back. Null when a call
   * would go out (the normal path: record, call, record the outcome). Once the row is recorded,
   * `refusalRecorded` tells the agency's call watchers.
   */
  refusedAtOnce(received: NewTransaction, events: readonly NewAuditEvent[], actor: string): RefusedAtOnce | null {
    const refusal = this.call.refusing(received.agencyCode);
    if (!refusal) return null;
    // At the received event's time, not a reading of its own: the row is recorded at that instant
    // (created_at and updated_at, TransactionRepository.record), and the answer, built from this
    // transaction and not read back, must say what a later read says.
    const now = events[0]?.occurredAt ?? this.clock.now();
    const service = this.catalogue.service(received.serviceCode);
    const recorded = asRecorded(received, now);
    const step = nextState(recorded, refusal, { via: 'attempt', actor, sentAt: now, inline: true }, { now, retry: service?.retry, fallback: service?.fallback })!;
    return { transaction: afterChange(recorded, step.change, now), events: [...events, ...step.events], refusal };
  }

  /** The transaction `refusedAtOnce` decided is recorded: its attempt is told as the call the breaker refused (metrics, logs). */
  refusalRecorded(refused: RefusedAtOnce, correlationId?: string): void {
    this.call.refused(refused.transaction.agencyCode, refused.refusal, { transactionId: refused.transaction.id, correlationId });
  }

  /**
   * A dispatched transaction whose answer did not come in time (file drop): its attempt counts as
   * timed out, so it is retried (the request file written again, under the same name) or, when
   * attempts are exhausted, goes to `manual`.
   */
  async recordNoAnswer(dispatched: Transaction): Promise<Transaction> {
    const since = dispatched.nextAttemptAt ? ` by ${dispatched.nextAttemptAt.toISOString()}` : '';
    return this.record(dispatched, { kind: 'transient', code: 'timeout', reason: `no answer from the agency${since}` }, { via: 'no-answer' });
  }

  private async record(claimed: Transaction, outcome: AgencyOutcome, arrival: Arrival, correlationId?: string, answer?: InlineAnswer<Transaction>): Promise<Transaction> {
    const service = this.catalogue.service(claimed.serviceCode);
    const now = this.clock.now();
    const step = nextState(claimed, outcome, arrival, { now, retry: service?.retry, fallback: service?.fallback })!;
    const after = answer && afterChange(claimed, step.change, now);
    const applied = await this.call.record(claimed, step, {
      answer: answer && after && { request: answer.key.request, answer: answer.answerFor(after), transaction: after, at: now },
    });
    // Someone else moved the transaction on (cancelled, or a newer attempt): their word stands.
    if (!applied) return (await this.transactions.find(claimed.id)) ?? claimed;
    if (answer && applied.answered) answer.key.answered = true;
    if (step.then.kind === 'retry') {
      const job = { transactionId: claimed.id, agencyCode: claimed.agencyCode, attempt: claimed.attempts + 1 };
      await this.retries.schedule(job, step.then.inMs).catch((error: Error) => {
        // The row already says when the next attempt is due; the sweeper will find it.
        this.warn(`could not schedule retry ${job.attempt} of transaction ${job.transactionId}; the sweeper will: ${error.message}`, {
          transactionId: job.transactionId,
          ...(correlationId && { correlationId }),
        });
      });
    }
    return applied.transaction;
  }
}
