import { DomainError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import type { FallbackRepository, FallbackTransaction } from '../fallback.repository';

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
    private readonly fallbacks: FallbackRepository,
    private readonly clock: Clock,
  ) {}

  async one(id: string, actor: string): Promise<FallbackTransaction> {
    const current = await this.fallbacks.find(id);
    if (!current) throw new DomainError('not_found', 'transaction-not-found', `No transaction ${id}.`);
    if (current.record.state === 'completed_manually') {
      throw new DomainError('conflict', 'already-completed-manually', 'The outcome of this transaction was recorded by hand; replaying it would file it twice.');
    }
    const requeued = await this.fallbacks.requeue(id, this.event(id, actor, current.facts.parkedReason?.code ?? null));
    if (!requeued) throw new DomainError('conflict', 'not-replayable', `A transaction in state ${current.record.state} cannot be replayed.`);
    return requeued;
  }

  async bulk(filter: ReplayFilter, actor: string): Promise<{ requeued: string[] }> {
    const parked = await this.fallbacks.list({
      state: 'parked',
      agencyCode: filter.agency,
      serviceCode: filter.service,
      reasonCode: filter.reason,
      limit: BULK_REPLAY_LIMIT,
    });
    const requeued: string[] = [];
    for (const tx of parked) {
      const done = await this.fallbacks.requeue(tx.record.id, this.event(tx.record.id, actor, tx.facts.parkedReason?.code ?? null));
      if (done) requeued.push(tx.record.id);
    }
    return { requeued };
  }

  private event(id: string, actor: string, parkedCode: string | null) {
    return { entityType: 'transaction', entityId: id, type: 'replay_requested', actor, data: { parkedCode }, occurredAt: this.clock.now() };
  }
}
