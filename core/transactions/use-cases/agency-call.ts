import type { Catalogue } from '../../../contracts/src/catalogue';
import type { AgencyOutcome, CallAdmission } from '../../../contracts/src/dispatch';
import type { Clock } from '../../shared/clock';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { AgencyGateway } from '../agency-gateway.port';
import { duplicateReferenceMatters, duplicateReferenceStep } from '../domain/conflicts';
import { withProvisionalRef, type OutcomeStep } from '../domain/agency-outcome';
import { provisionalReference } from '../domain/provisional-reference';
import type { Transaction, TransactionStep } from '../domain/transaction';
import { isProvisionalRefTaken, type Applied, type ApplyOptions, type TransactionRepository } from '../transaction.repository';

/** Draws of a provisional reference before giving up (each collision is about one in 10^8). */
const REFERENCE_DRAWS = 5;

/**
 * What dispatch and replay share: sending a claimed transaction to its agency, and writing what
 * the agency's outcome means for it (the step decided by domain/agency-outcome.ts).
 */
export class AgencyCall {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly catalogue: Catalogue,
    private readonly agencies: AgencyGateway,
    private readonly vault: PersonalDataVault,
    private readonly clock: Clock,
  ) {}

  /**
   * The claimed attempt, sent with the transaction id as the agency's idempotency key. Never throws for the agency.
   * `payload`: the payload as sealed on the row, when the caller still holds it (the inline attempt of a submit), so it is not opened again.
   */
  async send(claimed: Transaction, options: { inline: boolean; correlationId?: string; payload?: Record<string, unknown> }): Promise<AgencyOutcome> {
    if (!this.catalogue.service(claimed.serviceCode)) {
      return { kind: 'transient', code: 'misconfigured', reason: `service ${claimed.serviceCode} is no longer in the catalogue`, notSent: true };
    }
    const payload = options.payload ?? this.payloadOf(claimed);
    if (!payload) {
      // Never an empty application: a transaction still to be sent has not been erased, so its key
      // is missing only after a restore without citizen_keys (deploy/RUNBOOK.md). A person looks.
      return { kind: 'transient', code: 'misconfigured', reason: `transaction ${claimed.id}: its payload does not open (its data key is missing); nothing was sent`, notSent: true };
    }
    return this.agencies.dispatch(
      claimed.agencyCode,
      {
        transactionId: claimed.id,
        serviceCode: claimed.serviceCode,
        payload,
        attempt: claimed.attempts,
        correlationId: options.correlationId,
      },
      { inline: options.inline },
    );
  }

  /** The payload as sealed on the row; null when it does not open (its data key is gone). */
  private payloadOf(claimed: Transaction): Record<string, unknown> | null {
    try {
      return this.vault.open<Record<string, unknown>>(claimed.payloadSealed, claimed.dataKeySealed);
    } catch {
      return null;
    }
  }

  /** What a call would get right now without reaching the agency (its breaker is open); null when it would go out. */
  refusing(agencyCode: string): AgencyOutcome | null {
    return this.agencies.refusing(agencyCode);
  }

  /** An inline submit recorded with `refusing`'s refusal: the agency's call watchers hear of it (AgencyGateway.refused). */
  refused(agencyCode: string, refusal: AgencyOutcome, call: { correlationId?: string; transactionId: string }): void {
    this.agencies.refused(agencyCode, refusal, call);
  }

  /** Whether a background call to the agency should start now (its breaker's trial, see CallAdmission). */
  admit(agencyCode: string): CallAdmission {
    return this.agencies.admit(agencyCode);
  }

  /** The agencies whose background calls wait for their breaker's trial now. */
  waitingForTrial(): string[] {
    return this.agencies.waitingForTrial();
  }

  /**
   * Writes an outcome's step. When it completed the transaction with a reference that another
   * transaction of the agency already holds, and the service files applications, the newer one is
   * flagged `conflict` (a second, rare statement). Null when the transaction had moved on: nothing
   * was written.
   */
  async record(tx: Transaction, step: OutcomeStep, options: Pick<ApplyOptions, 'notice' | 'answer'> = {}): Promise<Applied | null> {
    const findDuplicateReference = step.change.state === 'completed' && duplicateReferenceMatters(this.catalogue.service(tx.serviceCode));
    const applied = await this.applyDrawing(tx, step, { notice: options.notice, answer: options.answer, findDuplicateReference });
    if (!applied?.duplicateOf) return applied;
    const flag = duplicateReferenceStep(applied.transaction, applied.duplicateOf, this.clock.now());
    const flagged = flag && (await this.transactions.apply(tx.id, flag));
    return flagged ? { ...applied, transaction: flagged.transaction } : applied;
  }

  private applyDrawing(tx: Transaction, step: OutcomeStep, options: ApplyOptions): Promise<Applied | null> {
    return applyDrawingReference(this.transactions, tx, step, options);
  }
}

/** Applies a step; a provisional reference it gives that is already taken is drawn again. */
export async function applyDrawingReference(
  transactions: TransactionRepository,
  tx: Transaction,
  step: TransactionStep,
  options: ApplyOptions = {},
): Promise<Applied | null> {
  for (let draw = 1; ; draw++) {
    try {
      return await transactions.apply(tx.id, step, options);
    } catch (error) {
      if (!isProvisionalRefTaken(error) || draw >= REFERENCE_DRAWS) throw error;
      step = withProvisionalRef(step, provisionalReference(tx.agencyCode));
      // The caller's answer was built from the step with the reference that was taken: stored, it would
      // give the citizen another transaction's reference. Without it the row is read back and the
      // caller answers from that (RunOnce stores the answer after: one statement more, on a rare path).
      if (options.answer) options = { ...options, answer: undefined };
    }
  }
}
