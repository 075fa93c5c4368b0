import { authorize, type Actor } from '../../authorization';
import { DomainError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import { requeueStep } from '../domain/fallback-rules';
import type { Transaction } from '../domain/transaction';
import type { TransactionRepository } from '../transaction.repository';
import { transactionFacts } from './get-transaction';

export interface ReplayFilter {
  agency?: string;
  service?: string;
  /** The parked reason's code, e.g. `misconfigured`. */
  reason?: string;
}

/** How many parked transactions one bulk request puts back at most (call again for more). */
export const BULK_REPLAY_LIMIT = 500;

/**
 * POST /v1/transactions/{id}/replay and bulk POST /v1/transactions/replay: a parked transaction
 * (or a `manual` one whose attempts ran out) goes back into its agency's replay backlog, at its
 * original place (arrival order). Each is audited with who asked.
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

  /** Within the actor's scope: a manager bound to a centre replays that centre's only. */
  async bulk(filter: ReplayFilter, actor: Actor): Promise<{ requeued: string[] }> {
    const scope = authorize(actor, 'transaction.replay');
    if (scope.agency !== undefined && filter.agency !== undefined && filter.agency !== scope.agency) return { requeued: [] };
    const parked = await this.transactions.list({
      state: 'parked',
      centreCode: scope.centre,
      agencyCode: scope.agency ?? filter.agency,
      serviceCode: filter.service,
      reasonCode: filter.reason,
      limit: BULK_REPLAY_LIMIT,
    });
    const requeued: string[] = [];
    for (const tx of parked) {
      const step = requeueStep(tx, actor.subject, this.clock.now());
      if (step.kind === 'requeued' && (await this.transactions.apply(tx.id, step))) requeued.push(tx.id);
    }
    return { requeued };
  }
}
