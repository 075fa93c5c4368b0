import { DomainError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import { isStorableText, NOT_STORABLE_MESSAGE } from '../../shared/storable-text';
import { resolutionStep } from '../domain/conflicts';
import type { Transaction } from '../domain/transaction';
import type { TransactionRepository } from '../transaction.repository';

/**
 * POST /v1/reconciliation/{id}/resolve (manager): which of the two outcomes stands.
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

  async execute(id: string, body: unknown, actor: string): Promise<Transaction> {
    const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const decision = input.decision === 'keep-agency' || input.decision === 'keep-manual' ? input.decision : null;
    // Cut by code points, so that a cut never splits a surrogate pair (jsonb would refuse the half).
    const note = typeof input.note === 'string' && input.note.trim() ? Array.from(input.note.trim()).slice(0, 1000).join('') : null;
    const errors: Array<{ field: string; message: string }> = [];
    if (decision === null) errors.push({ field: '/decision', message: 'must be keep-agency or keep-manual' });
    if (note !== null && !isStorableText(note)) errors.push({ field: '/note', message: NOT_STORABLE_MESSAGE });
    if (decision === null || errors.length > 0) {
      throw new DomainError('invalid', 'validation-failed', 'The resolution is not valid; see `errors`.', { errors });
    }
    const current = await this.transactions.find(id);
    if (!current) throw new DomainError('not_found', 'transaction-not-found', `No transaction ${id}.`);
    const resolved = await this.transactions.apply(id, resolutionStep(current, decision, note, actor, this.clock.now()));
    if (!resolved) throw new DomainError('conflict', 'not-in-conflict', `Transaction ${id} is no longer in conflict.`);
    return resolved.transaction;
  }
}
