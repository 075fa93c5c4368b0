import type { Catalogue } from '../../../contracts/src/catalogue';
import type { AgencyModes } from '../../agencies/agency-modes';
import { fallsBack } from '../../agencies/domain/agency-mode';
import type { Clock } from '../../shared/clock';
import type { TransactionRecord } from '../domain/transaction';
import type { FallbackRepository } from '../fallback.repository';
import type { TransactionRepository } from '../transaction.repository';

/**
 * A background attempt (retry) for an agency that is now in manual, maintenance or degraded
 * mode does not call the agency (DESIGN.md: "agency in manual mode → manual"): the transaction
 * goes to `manual`, and for a store-and-forward service into the replay backlog, so it reaches
 * the agency with the rest when it is back.
 */
export class HoldForFallback {
  constructor(
    private readonly modes: AgencyModes,
    private readonly transactions: TransactionRepository,
    private readonly fallbacks: FallbackRepository,
    private readonly catalogue: Catalogue,
    private readonly clock: Clock,
  ) {}

  /** The held transaction, or null when the agency is in `auto` and the attempt should go ahead. */
  async hold(claimed: TransactionRecord, actor: string): Promise<TransactionRecord | null> {
    const mode = await this.modes.effective(claimed.agencyCode);
    if (!fallsBack(mode)) return null;
    const now = this.clock.now();
    const error = { code: 'agency_fallback', reason: `agency in ${mode} mode: not called` };
    const held = await this.transactions.applyAttempt(claimed.id, claimed.attempts, { state: 'manual', lastError: error, nextAttemptAt: null }, [
      { entityType: 'transaction', entityId: claimed.id, type: 'manual', actor, data: { attempt: claimed.attempts, ...error, mode }, occurredAt: now },
    ]);
    if (!held) return (await this.transactions.findById(claimed.id)) ?? claimed;
    if (this.catalogue.service(claimed.serviceCode)?.fallback === 'store-and-forward') {
      // A second statement: if the process dies in between, the row waits in `manual` (not lost)
      // and POST /v1/transactions/{id}/replay puts it in the backlog.
      const queued = await this.fallbacks.requeue(claimed.id, {
        entityType: 'transaction',
        entityId: claimed.id,
        type: 'replay_requested',
        actor,
        data: { mode },
        occurredAt: now,
      });
      return queued?.record ?? held;
    }
    return held;
  }
}
