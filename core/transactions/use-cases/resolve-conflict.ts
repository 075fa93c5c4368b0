import type { ConflictResolution } from '../../../contracts/src/message.types';
import { authorize, type Actor } from '../../authorization';
import { DomainError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import { resolutionStep } from '../domain/conflicts';
import type { Transaction } from '../domain/transaction';
import type { TransactionRepository } from '../transaction.repository';
import { transactionFacts } from './get-transaction';

/**
 * POST /v1/reconciliation/{id}/resolve (managers, of the transaction's centre when bound to one;
 * body conflict-resolution.v1.json, checked at the edge): which of the two outcomes stands.
 * - `keep-agency`: the agency's application is the real one (state from the replay's outcome);
 * - `keep-manual`: the paper outcome stands (`completed_manually`, or `rejected`).
 * The agency-side duplicate, if any, is withdrawn with the agency by the manager out of band;
 * Kiungo never sends a second application to settle it.
 */
export class ResolveConflict {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly clock: Clock,
  ) {}

  async execute(id: string, resolution: ConflictResolution, actor: Actor): Promise<Transaction> {
    authorize(actor, 'conflict.resolve');
    const note = resolution.note?.trim() || null;
    const current = await this.transactions.find(id);
    if (!current) throw new DomainError('not_found', 'transaction-not-found', `No transaction ${id}.`);
    authorize(actor, 'conflict.resolve', transactionFacts(current));
    const resolved = await this.transactions.apply(id, resolutionStep(current, resolution.decision, note, actor.subject, this.clock.now()));
    if (!resolved) throw new DomainError('conflict', 'not-in-conflict', `Transaction ${id} is no longer in conflict.`);
    return resolved.transaction;
  }
}
