import { timeOrderedUuid } from '../../shared/uuid';
import type { Catalogue } from '../../../contracts/src/catalogue';
import type { TransactionEnvelope } from '../../../contracts/src/message.types';
import { authorize, officerOf, type Actor } from '../../authorization';
import { KeyAlreadyClaimed, keyReused, type IdempotentRequest, type InlineAnswer, type StoredAnswer } from '../../idempotency/domain/idempotent-request';
import { DomainError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { NewTransaction, Transaction } from '../domain/transaction';
import type { NewAuditEvent } from '../../audit/audit-event';
import type { TransactionRepository } from '../transaction.repository';
import type { AcceptUnderFallback } from './accept-under-fallback';
import type { DispatchAttempt } from './dispatch-attempt';

/** Who submits: the officer recorded on the transaction is this subject when it holds `officer`, and `client` (azp) its channel client. */
export type Submitter = Actor;

export interface SubmitTransactionCommand {
  /** The body, valid against transaction-envelope.v1.json (checked at the edge); its payload is checked here, against its service. */
  envelope: TransactionEnvelope;
  submitter: Submitter;
  /** The caller's Idempotency-Key, already claimed (core/idempotency): kept on the row, whose unique key backs it. */
  idempotency?: IdempotentRequest;
  /**
   * Instead of a key claimed beforehand: claim it in the recording statement and store the answer
   * in the outcome's (RunOnce.runInline), so that a submit answered inline is two statements.
   */
  inline?: InlineAnswer<Transaction>;
  correlationId?: string;
}

export interface SubmitTransactionResult {
  transaction: Transaction;
  /** False when the idempotency key had already created this transaction. */
  created: boolean;
}

/** Slack on top of the inline timeout before the sweeper may take over an unfinished inline attempt. */
const INLINE_LEASE_MARGIN_MS = 2000;

/**
 * POST /v1/transactions: check the payload against its service, record (state `received`) BEFORE any agency call, then try the
 * agency once inline. Whatever happens after the record is written, the transaction is not lost:
 * the retry queue or, failing that, the sweeper finishes it.
 */
export class SubmitTransaction {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly catalogue: Catalogue,
    private readonly dispatch: DispatchAttempt,
    private readonly vault: PersonalDataVault,
    private readonly clock: Clock,
    /** Manual fallback: when the agency is not in `auto`, the service's fallback policy takes the transaction. */
    private readonly fallback: AcceptUnderFallback,
  ) {}

  async execute(command: SubmitTransactionCommand): Promise<SubmitTransactionResult> {
    const envelope = command.envelope;
    this.validatePayload(envelope);
    const service = this.catalogue.service(envelope.service)!;
    const agency = this.catalogue.agency(service.agencyCode)!;
    const centre = authorisedCentre(envelope, service.agencyCode, command.submitter);
    const now = this.clock.now();
    const id = timeOrderedUuid(now);
    const inline = command.inline?.key.inline ? command.inline : undefined;
    const idempotency = inline?.key.request ?? command.idempotency;

    // The record's own key: erasing the citizen destroys it, and with it every copy of what it sealed.
    const dataKey = this.vault.newDataKey();
    const record: NewTransaction = {
      id,
      serviceCode: service.code,
      agencyCode: service.agencyCode,
      channel: envelope.channel,
      centreCode: centre ?? null,
      // The authenticated officer, never one the body names (the envelope's schema has no such field).
      officerId: officerOf(command.submitter),
      submittedBy: command.submitter.subject,
      channelClient: command.submitter.client ?? null,
      citizenIdHash: this.vault.lookupHash(envelope.citizen.idNumber),
      citizenSealed: this.vault.seal(envelope.citizen, dataKey),
      payloadSealed: this.vault.seal(envelope.payload, dataKey),
      dataKeySealed: dataKey.sealed,
      state: 'received',
      attempts: 1,
      maxAttempts: service.retry.maxAttempts,
      nextAttemptAt: new Date(now.getTime() + agency.resilience.inlineTimeoutMs + INLINE_LEASE_MARGIN_MS),
      idempotencyScope: idempotency?.scope ?? null,
      idempotencyKey: idempotency?.key ?? null,
      requestHash: idempotency?.fingerprint ?? null,
      fallback: null,
      provisionalRef: null,
      replayPending: false,
    };
    const received: NewAuditEvent = {
      entityType: 'transaction',
      entityId: id,
      type: 'received',
      actor: command.submitter.subject,
      // The channel client is in the chain too, so that rewriting it on the row is detectable. Keys in
      // canonical order: canonicalJson then writes the data in one call (issue 13).
      data: { agency: service.agencyCode, centre: centre ?? null, channel: envelope.channel, client: record.channelClient, service: service.code },
      occurredAt: now,
    };
    const claim = inline?.key.request;
    // Agency in manual/maintenance/degraded mode: the service's fallback policy decides, no agency call.
    const fallingBack = this.fallback.accept(service, agency, record, received, claim);
    const fellBack = fallingBack && (await fallingBack);
    // Breaker open: the refusal is the inline attempt's outcome, recorded with the row in one statement.
    const refused = fellBack ? null : this.dispatch.refusedAtOnce(record, [received], command.submitter.subject);
    const answer = refused && inline ? inline.answerFor(refused.transaction) : undefined;
    const recorded = fellBack ?? (await this.recordReceived(refused?.transaction ?? record, refused?.events ?? [received], claim, answer));
    if (inline) {
      inline.key.claimed = true;
      inline.key.answered = answer !== undefined && recorded.created;
    }

    if (!recorded.created) {
      // Reached only when the key's claim was freed after a failure that came after the record.
      if (recorded.transaction.requestHash !== record.requestHash) throw keyReused();
      return { transaction: recorded.transaction, created: false };
    }
    if (fellBack) return { transaction: recorded.transaction, created: true };
    // The answer stored is the one for this very object (see InlineAnswer).
    if (refused) {
      this.dispatch.refusalRecorded(refused, command.correlationId);
      return { transaction: refused.transaction, created: true };
    }

    const transaction = await this.dispatch.run(recorded.transaction, {
      inline: true,
      actor: command.submitter.subject,
      correlationId: command.correlationId,
      answer: inline,
      // Sealed a moment ago from this very object: the attempt sends it without opening the row's copy.
      payload: envelope.payload,
    });
    return { transaction, created: true };
  }

  private async recordReceived(
    record: NewTransaction,
    events: NewAuditEvent[],
    claim?: IdempotentRequest,
    answer?: StoredAnswer,
  ): Promise<{ transaction: Transaction; created: boolean }> {
    const recording = await this.transactions.record(record, events, { claim, answer });
    if (recording.kind === 'key-claimed') throw new KeyAlreadyClaimed();
    // Only a fallback acceptance draws a provisional reference; a plain record cannot collide on one.
    if (recording.kind === 'provisional-ref-taken') throw new Error('a transaction without a provisional reference collided on one');
    return { transaction: recording.transaction, created: recording.kind === 'created' };
  }

  /** The service and its payload: rules of the catalogue, which no static schema of the envelope can state. */
  private validatePayload(envelope: TransactionEnvelope): void {
    if (!this.catalogue.service(envelope.service)) {
      throw invalid([{ field: '/service', message: 'is not a service in the catalogue; see GET /v1/services' }]);
    }
    const payloadErrors = this.catalogue.validator.validateRequest(envelope.service, envelope.payload);
    if (payloadErrors.length > 0) throw invalid(payloadErrors);
  }
}

/**
 * The centre the transaction is recorded for, from one decision: the one the body names, which must lie
 * in the submitter's scope (as the service's agency must); none named, the submitter's own when its
 * roles bind it to one. A centre the body leaves out is not checked, since the scope's own is used.
 */
function authorisedCentre(envelope: TransactionEnvelope, agencyCode: string, submitter: Submitter): string | undefined {
  const scope = authorize(submitter, 'transaction.submit', { centre: envelope.centre, agency: agencyCode });
  return envelope.centre ?? scope.centre;
}

function invalid(errors: { field: string; message: string }[]): DomainError {
  return new DomainError('invalid', 'validation-failed', 'The request is not valid; see `errors` for each problem.', { errors });
}
