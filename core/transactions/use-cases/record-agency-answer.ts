import type { AgencyOutcome } from '../../../contracts/src/dispatch';
import type { Clock } from '../../shared/clock';
import { isUuid } from '../../shared/uuid';
import { nextState } from '../domain/agency-outcome';
import type { TransactionRepository } from '../transaction.repository';
import type { AgencyCall } from './agency-call';

export interface AgencyAnswerCommand {
  agencyCode: string;
  transactionId: string;
  /** What the answer says, as the adapter read it. */
  outcome: Extract<AgencyOutcome, { kind: 'accepted' | 'rejected' }>;
  /** Where the answer came from (a file name), for the audit event; never personal data. */
  source: string;
}

/**
 * - `recorded`: the transaction is now completed / rejected;
 * - `duplicate`: it had already finished (a second copy of one answer): nothing changed;
 * - `unknown`: no transaction of this agency has this id.
 */
export type AgencyAnswerResult = { kind: 'recorded' } | { kind: 'duplicate'; state: string } | { kind: 'unknown' };

/**
 * An agency's answer that arrives apart from the call (file drop): completes or rejects the
 * transaction it names (domain/agency-outcome.ts says when it still may), with its audit event in
 * the same statement, so a repeated answer changes nothing.
 */
export class RecordAgencyAnswer {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly call: AgencyCall,
    private readonly clock: Clock,
  ) {}

  async execute(command: AgencyAnswerCommand): Promise<AgencyAnswerResult> {
    if (!isUuid(command.transactionId)) return { kind: 'unknown' };
    const id = command.transactionId.toLowerCase();
    const tx = await this.transactions.find(id);
    if (!tx || tx.agencyCode !== command.agencyCode) return { kind: 'unknown' };
    const step = nextState(tx, command.outcome, { via: 'inbox', source: command.source }, { now: this.clock.now() });
    // Finished before (a second copy of one answer, an answer after cancel): the agency's word is already in.
    if (!step) return { kind: 'duplicate', state: tx.state };
    if (await this.call.record(tx, step)) return { kind: 'recorded' };
    // Finished meanwhile (another copy of the answer, read by another worker).
    return { kind: 'duplicate', state: (await this.transactions.find(id))?.state ?? tx.state };
  }
}
