import type { ManualOutcome as ManualOutcomeMessage } from '../../../contracts/src/message.types';
import { authorize, type Actor } from '../../authorization';
import { DomainError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import { manualOutcomeStep } from '../domain/fallback-rules';
import type { ManualOutcome, Transaction } from '../domain/transaction';
import type { TransactionRepository } from '../transaction.repository';
import { transactionFacts } from './get-transaction';

export type OutcomeRecorder = Actor;

/**
 * POST /v1/transactions/{id}/manual-outcome: the officer records what the paper process gave
 * (`completed` with the agency reference, or `rejected`: manual-outcome.v1.json, checked at the
 * edge), for a transaction in `manual` or `parked`. Who may: the policy's
 * `transaction.record-outcome` (officers of the transaction's centre, managers of it or, unbound,
 * of any). If the replay had
 * already reached the agency, the two outcomes are kept side by side as a `conflict`.
 */
export class RecordManualOutcome {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly clock: Clock,
  ) {}

  async execute(id: string, recorded: ManualOutcomeMessage, recorder: OutcomeRecorder): Promise<{ kind: 'recorded' | 'conflict'; transaction: Transaction }> {
    authorize(recorder, 'transaction.record-outcome');
    const current = await this.transactions.find(id);
    if (!current) throw new DomainError('not_found', 'transaction-not-found', `No transaction ${id}.`);
    authorize(recorder, 'transaction.record-outcome', transactionFacts(current));
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
