import type { Clock } from '../../shared/clock';
import type { StateChange, TransactionRepository } from '../transaction.repository';

/** Who records answers read from agencies' inboxes, in the audit log. */
export const FILE_DROP_ACTOR = 'system:file-drop';

export type AgencyAnswerOutcome =
  | { status: 'accepted'; agencyRef: string; result: Record<string, unknown> }
  | { status: 'rejected'; code: string; reason: string };

export interface AgencyAnswerCommand {
  agencyCode: string;
  transactionId: string;
  answer: AgencyAnswerOutcome;
  /** Where the answer came from (a file name), for the audit event; never personal data. */
  source: string;
}

/**
 * - `recorded`: the transaction is now completed / rejected;
 * - `duplicate`: it had already finished (a second copy of one answer): nothing changed;
 * - `unknown`: no transaction of this agency has this id.
 */
export type AgencyAnswerResult = { kind: 'recorded' } | { kind: 'duplicate'; state: string } | { kind: 'unknown' };

const TRANSACTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An agency's answer that arrives apart from the call (file drop): completes or rejects the
 * transaction it names, with its audit event in the same statement. Only a transaction that
 * has not finished changes, so a repeated answer changes nothing. Answers are accepted in any
 * unfinished state, not only `dispatched`: an answer can overtake the recording of its own
 * hand-over, or arrive after the wait for it timed out (`retrying`, `manual`); either way it
 * is the agency's word on the application.
 */
export class RecordAgencyAnswer {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly clock: Clock,
  ) {}

  async execute(command: AgencyAnswerCommand): Promise<AgencyAnswerResult> {
    if (!TRANSACTION_ID.test(command.transactionId)) return { kind: 'unknown' };
    const { answer } = command;
    const change: StateChange =
      answer.status === 'accepted'
        ? { state: 'completed', agencyRef: answer.agencyRef, result: answer.result, lastError: null }
        : { state: 'rejected', lastError: { code: answer.code, reason: answer.reason } };
    const data =
      answer.status === 'accepted'
        ? { agencyRef: answer.agencyRef, via: 'file-drop', source: command.source }
        : { code: answer.code, reason: answer.reason, via: 'file-drop', source: command.source };
    const recording = await this.transactions.recordAnswer(command.transactionId, command.agencyCode, change, {
      entityType: 'transaction',
      entityId: command.transactionId,
      type: change.state,
      actor: FILE_DROP_ACTOR,
      data,
      occurredAt: this.clock.now(),
    });
    switch (recording.kind) {
      case 'recorded':
        return { kind: 'recorded' };
      case 'unchanged':
        return { kind: 'duplicate', state: recording.state };
      case 'unknown':
        return { kind: 'unknown' };
    }
  }
}
