import type { AgencyDefinition, ServiceDefinition } from '../../../contracts/src/catalogue.types';
import type { NewAuditEvent } from '../../audit/audit-event';
import type { AgencyModes } from '../../agencies/agency-modes';
import { fallsBack, type EffectiveMode } from '../../agencies/domain/agency-mode';
import type { Clock } from '../../shared/clock';
import { DomainError } from '../../shared/errors';
import { provisionalReference } from '../domain/provisional-reference';
import { KeyAlreadyClaimed, type IdempotentRequest } from '../../idempotency/domain/idempotent-request';
import type { AppliedFallback, NewTransaction, Transaction } from '../domain/transaction';
import type { TransactionRepository } from '../transaction.repository';

export interface FallbackAcceptance {
  transaction: Transaction;
  created: boolean;
}

/** How long a `reject` service tells the caller to wait when the agency is down (no better estimate). */
const REJECT_RETRY_AFTER_SECONDS = 300;
const REFERENCE_DRAWS = 5;

/**
 * At submit: when the agency is in manual, maintenance or degraded mode, the service's fallback
 * policy decides, and the agency is not called.
 * - store-and-forward: recorded as `manual` with a provisional reference, waiting for replay;
 * - manual: recorded as `manual` with the paper-process instructions; an officer records the outcome;
 * - reject: 503 with Retry-After, nothing stored.
 * Null when the agency is in `auto`: the normal path runs.
 */
export class AcceptUnderFallback {
  constructor(
    private readonly modes: AgencyModes,
    private readonly transactions: TransactionRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * `claim`: the caller's Idempotency-Key, claimed in the recording statement (see TransactionRepository.record).
   * Null at once, without a promise, when the mode read moments ago is `auto` (the usual case, issue 13).
   */
  accept(
    service: ServiceDefinition,
    agency: AgencyDefinition,
    tx: NewTransaction,
    received: NewAuditEvent,
    claim?: IdempotentRequest,
  ): Promise<FallbackAcceptance | null> | null {
    const known = this.modes.known(agency.code);
    if (known !== undefined && !fallsBack(known)) return null;
    return this.acceptIn(known, service, agency, tx, received, claim);
  }

  private async acceptIn(
    known: EffectiveMode | undefined,
    service: ServiceDefinition,
    agency: AgencyDefinition,
    tx: NewTransaction,
    received: NewAuditEvent,
    claim?: IdempotentRequest,
  ): Promise<FallbackAcceptance | null> {
    const mode = known ?? (await this.modes.effective(agency.code));
    if (!fallsBack(mode)) return null;
    if (service.fallback === 'reject') {
      const window = (await this.modes.setting(agency.code)).window;
      const untilWindowEnds = mode === 'maintenance' && window ? Math.ceil((window.end.getTime() - this.clock.now().getTime()) / 1000) : 0;
      throw new DomainError('unavailable', 'agency-unavailable', `${agency.name} is not taking applications now (${mode}); please try again later.`, {
        retryAfterSeconds: Math.max(1, untilWindowEnds || REJECT_RETRY_AFTER_SECONDS),
      });
    }
    const policy: AppliedFallback = service.fallback;
    for (let draw = 0; draw < REFERENCE_DRAWS; draw++) {
      const provisionalRef = provisionalReference(agency.code);
      const stored: NewTransaction = {
        ...tx,
        state: 'manual',
        attempts: 0,
        nextAttemptAt: null,
        fallback: policy,
        provisionalRef,
        replayPending: policy === 'store-and-forward',
      };
      const fellBack: NewAuditEvent = { ...received, type: 'manual', data: { fallback: policy, mode, provisionalRef } };
      const recording = await this.transactions.record(stored, [received, fellBack], { claim });
      if (recording.kind === 'provisional-ref-taken') continue;
      if (recording.kind === 'key-claimed') throw new KeyAlreadyClaimed();
      return { transaction: recording.transaction, created: recording.kind === 'created' };
    }
    throw new DomainError('unavailable', 'provisional-reference-exhausted', 'Could not issue a provisional reference; please try again.', {
      retryAfterSeconds: 1,
    });
  }
}
