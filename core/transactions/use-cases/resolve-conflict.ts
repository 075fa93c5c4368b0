import { DomainError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import type { FallbackRepository, FallbackTransaction } from '../fallback.repository';

/**
 * POST /v1/reconciliation/{id}/resolve (manager): which of the two outcomes stands.
 * - `keep-agency`: the agency's application is the real one (state from the replay's outcome);
 * - `keep-manual`: the paper outcome stands (`completed_manually`, or `rejected`).
 * The agency-side duplicate, if any, is withdrawn with the agency by the manager out of band;
 * Kiungo never sends a second application to settle it.
 */
export class ResolveConflict {
  constructor(
    private readonly fallbacks: FallbackRepository,
    private readonly clock: Clock,
  ) {}

  async execute(id: string, body: unknown, actor: string): Promise<FallbackTransaction> {
    const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const decision = input.decision;
    const note = typeof input.note === 'string' && input.note.trim() ? input.note.trim().slice(0, 1000) : null;
    if (decision !== 'keep-agency' && decision !== 'keep-manual') {
      throw new DomainError('invalid', 'validation-failed', 'The resolution is not valid; see `errors`.', {
        errors: [{ field: '/decision', message: 'must be keep-agency or keep-manual' }],
      });
    }
    const current = await this.fallbacks.find(id);
    if (!current) throw new DomainError('not_found', 'transaction-not-found', `No transaction ${id}.`);
    const conflict = current.facts.conflict;
    if (current.record.state !== 'conflict' || !conflict) throw new DomainError('conflict', 'not-in-conflict', `Transaction ${id} is not in conflict.`);
    const state =
      decision === 'keep-agency'
        ? conflict.agency.outcome === 'completed'
          ? 'completed'
          : 'rejected'
        : conflict.manual.outcome === 'completed'
          ? 'completed_manually'
          : 'rejected';
    const now = this.clock.now();
    const resolved = await this.fallbacks.resolveConflict(id, state, { decision, note, by: actor, at: now.toISOString() }, {
      entityType: 'transaction',
      entityId: id,
      type: 'conflict_resolved',
      actor,
      data: { decision, state },
      occurredAt: now,
    });
    if (!resolved) throw new DomainError('conflict', 'not-in-conflict', `Transaction ${id} is no longer in conflict.`);
    return resolved;
  }
}
