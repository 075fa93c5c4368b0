import type { FieldError } from '../../../contracts/src/field-error';
import { DomainError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import { isStorableText, NOT_STORABLE_MESSAGE } from '../../shared/storable-text';
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
 * (`completed` with the agency reference, or `rejected`), for a transaction in `manual` or
 * `parked`. Allowed to officers of the transaction's centre and to managers. If the replay had
 * already reached the agency, the two outcomes are kept side by side as a `conflict`.
 */
export class RecordManualOutcome {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly clock: Clock,
  ) {}

  async execute(id: string, body: unknown, recorder: OutcomeRecorder): Promise<{ kind: 'recorded' | 'conflict'; transaction: Transaction }> {
    const current = await this.transactions.find(id);
    if (!current) throw new DomainError('not_found', 'transaction-not-found', `No transaction ${id}.`);
    const isManager = recorder.roles.includes('manager');
    const isOfficerHere = recorder.roles.includes('officer') && recorder.centre !== undefined && recorder.centre === current.centreCode;
    if (!isManager && !isOfficerHere) {
      throw new DomainError('forbidden', 'not-your-centre', 'Only officers of the centre that took this transaction, or a manager, may record its outcome.');
    }
    const now = this.clock.now();
    const outcome: ManualOutcome = { ...parse(body), by: recorder.subject, at: now.toISOString() };
    const step = manualOutcomeStep(current, outcome, now);
    const applied = step.kind === 'refused' ? null : await this.transactions.apply(id, step);
    if (step.kind === 'refused' || !applied) {
      throw new DomainError('conflict', 'outcome-not-recordable', `A manual outcome cannot be recorded for a transaction in state ${current.state}.`);
    }
    return { kind: step.kind, transaction: applied.transaction };
  }
}

function parse(body: unknown): Pick<ManualOutcome, 'outcome' | 'agencyRef' | 'note'> {
  const input = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const key of Object.keys(input)) {
    if (!['outcome', 'agencyRef', 'note'].includes(key)) errors.push({ field: `/${key}`, message: 'is not a known field' });
  }
  const outcome = input.outcome;
  if (outcome !== 'completed' && outcome !== 'rejected') errors.push({ field: '/outcome', message: 'must be completed or rejected' });
  const agencyRef = typeof input.agencyRef === 'string' ? input.agencyRef.trim() : null;
  if (input.agencyRef !== undefined && (agencyRef === null || !/^[A-Za-z0-9][A-Za-z0-9/._-]{0,63}$/.test(agencyRef))) {
    errors.push({ field: '/agencyRef', message: 'must be 1 to 64 letters, digits or / . _ -' });
  }
  if (outcome === 'completed' && !agencyRef) errors.push({ field: '/agencyRef', message: 'is required when the outcome is completed' });
  const note = typeof input.note === 'string' ? input.note.trim() : null;
  if (input.note !== undefined && (note === null || note.length > 1000)) errors.push({ field: '/note', message: 'must be text of at most 1000 characters' });
  else if (note !== null && !isStorableText(note)) errors.push({ field: '/note', message: NOT_STORABLE_MESSAGE });
  if (errors.length > 0) throw new DomainError('invalid', 'validation-failed', 'The outcome is not valid; see `errors`.', { errors });
  return { outcome: outcome as ManualOutcome['outcome'], agencyRef: agencyRef || null, note: note || null };
}
