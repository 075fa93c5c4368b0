import type { ManualOutcome as ManualOutcomeMessage } from '../../../contracts/src/message.types';
import { DomainError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import { manualOutcomeStep } from '../domain/fallback-rules';
import type { ManualOutcome, Transaction } from '../domain/transaction';
import type { TransactionRepository } from '../transaction.repository';

export interface OutcomeRecorder {
  subject: string;
  roles: readonly string[];
  centre?: string;
}

/**
 * POST /v1/transactions/{id}/manual-outcome: the officer records what the paper process gave
 * (`completed` with the agency reference, or `rejected`: manual-outcome.v1.json, checked at the
 * edge), for a transaction in `manual` or
 * `parked`. Allowed to officers of the transaction's centre and to managers. If the replay had
 * already reached the agency, the two outcomes are kept side by side as a `conflict`.
 */
export class RecordManualOutcome {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly clock: Clock,
  ) {}

  async execute(id: string, recorded: ManualOutcomeMessage, recorder: OutcomeRecorder): Promise<{ kind: 'recorded' | 'conflict'; transaction: Transaction }> {
    const current = await this.transactions.find(id);
    if (!current) throw new DomainError('not_found', 'transaction-not-found', `No transaction ${id}.`);
    const isManager = recorder.roles.includes('manager');
    const isOfficerHere = recorder.roles.includes('officer') && recorder.centre !== undefined && recorder.centre === current.centreCode;
    if (!isManager && !isOfficerHere) {
      throw new DomainError('forbidden', 'not-your-centre', 'Only officers of the centre that took this transaction, or a manager, may record its outcome.');
    }
    const now = this.clock.now();
    const note = recorded.note?.trim() || null;
    const outcome: ManualOutcome = { outcome: recorded.outcome, agencyRef: recorded.agencyRef ?? null, note, by: recorder.subject, at: now.toISOString() };
    const step = manualOutcomeStep(current, outcome, now);
    const applied = step.kind === 'refused' ? null : await this.transactions.apply(id, step);
    if (step.kind === 'refused' || !applied) {
      throw new DomainError('conflict', 'outcome-not-recordable', `A manual outcome cannot be recorded for a transaction in state ${current.state}.`);
    }
    return { kind: step.kind, transaction: applied.transaction };
  }
}
