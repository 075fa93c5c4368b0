import { authorize, type Actor } from '../../authorization';
import { DomainError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import { requeueStep } from '../domain/fallback-rules';
import type { Transaction } from '../domain/transaction';
import type { TransactionRepository } from '../transaction.repository';
import { transactionFacts } from './get-transaction';

/**
 * POST /v1/transactions/{id}/replay: a parked transaction
 * (or a `manual` one whose attempts ran out) goes back into its agency's replay backlog, at its
 * original place (arrival order), audited with who asked. Many at once, at a rate, with a dry run,
 * pause and cancel: a bulk replay task (core/replay-tasks).
 */
export class ReplayParked {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly clock: Clock,
  ) {}

  async one(id: string, actor: Actor): Promise<Transaction> {
    authorize(actor, 'transaction.replay');
    const current = await this.transactions.find(id);
    if (!current) throw new DomainError('not_found', 'transaction-not-found', `No transaction ${id}.`);
    authorize(actor, 'transaction.replay', transactionFacts(current));
    const step = requeueStep(current, actor.subject, this.clock.now());
    if (step.kind === 'refused' && step.reason === 'completed-manually') {
      throw new DomainError('conflict', 'already-completed-manually', 'The outcome of this transaction was recorded by hand; replaying it would file it twice.');
    }
    const requeued = step.kind === 'requeued' ? await this.transactions.apply(id, step) : null;
    if (!requeued) throw new DomainError('conflict', 'not-replayable', `A transaction in state ${current.state} cannot be replayed.`);
    return requeued.transaction;
  }
}
