import type { Catalogue } from '../../../contracts/src/catalogue';
import type { AgencyModes } from '../../agencies/agency-modes';
import { fallsBack } from '../../agencies/domain/agency-mode';
import type { Clock } from '../../shared/clock';
import { holdStep } from '../domain/fallback-rules';
import type { Transaction } from '../domain/transaction';
import type { TransactionRepository } from '../transaction.repository';
import { applyDrawingReference } from './agency-call';

/**
 * A background attempt (retry) for an agency that is now in manual, maintenance or degraded
 * mode does not call the agency (DESIGN.md: "agency in manual mode → manual"): the transaction
 * goes to `manual`, and for a store-and-forward service into the replay backlog, in one statement.
 */
export class HoldForFallback {
  constructor(
    private readonly modes: AgencyModes,
    private readonly transactions: TransactionRepository,
    private readonly catalogue: Catalogue,
    private readonly clock: Clock,
  ) {}

  /** Whether a background attempt for the agency would be held now (its mode falls back), without claiming anything. */
  async holds(agencyCode: string): Promise<boolean> {
    return fallsBack(await this.modes.effective(agencyCode));
  }

  /** The held transaction, or null when the agency is in `auto` and the attempt should go ahead. */
  async hold(claimed: Transaction, actor: string): Promise<Transaction | null> {
    const mode = await this.modes.effective(claimed.agencyCode);
    if (!fallsBack(mode)) return null;
    const policy = this.catalogue.service(claimed.serviceCode)?.fallback;
    const held = await applyDrawingReference(this.transactions, claimed, holdStep(claimed, mode, policy, actor, this.clock.now()));
    return held?.transaction ?? (await this.transactions.find(claimed.id)) ?? claimed;
  }
}
