import type { ConflictResolution } from '../../../contracts/src/message.types';
import { DomainError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import { resolutionStep } from '../domain/conflicts';
import type { Transaction } from '../domain/transaction';
import type { TransactionRepository } from '../transaction.repository';

/**
 * POST /v1/reconciliation/{id}/resolve (manager; body conflict-resolution.v1.json, checked at the
 * edge): which of the two outcomes stands.
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

  async execute(id: string, resolution: ConflictResolution, actor: string): Promise<Transaction> {
    const note = resolution.note?.trim() || null;
    const current = await this.transactions.find(id);
    if (!current) throw new DomainError('not_found', 'transaction-not-found', `No transaction ${id}.`);
    const resolved = await this.transactions.apply(id, resolutionStep(current, resolution.decision, note, actor, this.clock.now()));
    if (!resolved) throw new DomainError('conflict', 'not-in-conflict', `Transaction ${id} is no longer in conflict.`);
    return resolved.transaction;
  }
}
