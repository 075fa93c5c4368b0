import type { AgencyDefinition, ServiceDefinition } from '../../../contracts/src/catalogue.types';
import type { NewAuditEvent } from '../../audit/audit-event';
import type { AgencyModes } from '../../agencies/agency-modes';
import { fallsBack, type EffectiveMode } from '../../agencies/domain/agency-mode';
import { DomainError } from '../../shared/errors';
import { provisionalReference } from '../domain/provisional-reference';
import type { TransactionRecord } from '../domain/transaction';
import type { AppliedFallback, FallbackRepository } from '../fallback.repository';
import type { NewTransactionRecord } from '../transaction.repository';

export interface FallbackAcceptance {
  row: TransactionRecord;
  created: boolean;
  fallback: { policy: AppliedFallback; mode: EffectiveMode; provisionalRef: string | null; instructions: string | null };
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
    private readonly fallbacks: FallbackRepository,
  ) {}

  async accept(
    service: ServiceDefinition,
    agency: AgencyDefinition,
    record: NewTransactionRecord,
    received: NewAuditEvent,
  ): Promise<FallbackAcceptance | null> {
    const mode = await this.modes.effective(agency.code);
    if (!fallsBack(mode)) return null;
    if (service.fallback === 'reject') {
      const window = (await this.modes.setting(agency.code)).window;
      const untilWindowEnds = mode === 'maintenance' && window ? Math.ceil((window.end.getTime() - Date.now()) / 1000) : 0;
      throw new DomainError('unavailable', 'agency-unavailable', `${agency.name} is not taking applications now (${mode}); please try again later.`, {
        retryAfterSeconds: Math.max(1, untilWindowEnds || REJECT_RETRY_AFTER_SECONDS),
      });
    }
    const policy: AppliedFallback = service.fallback;
    const stored: NewTransactionRecord = { ...record, state: 'manual', attempts: 0, nextAttemptAt: null };
    const storeAndForward = policy === 'store-and-forward';
    for (let draw = 0; draw < REFERENCE_DRAWS; draw++) {
      const provisionalRef = provisionalReference(agency.code);
      const fellBack: NewAuditEvent = {
        ...received,
        type: 'manual',
        data: { fallback: policy, mode, provisionalRef },
      };
      const result = await this.fallbacks.insertFallback(stored, { fallback: policy, provisionalRef, replayPending: storeAndForward }, [received, fellBack]);
      if (result.kind === 'provisional-ref-taken') continue;
      const existing = result.kind === 'existing' ? await this.fallbacks.find(result.row.id) : null;
      return {
        row: result.row,
        created: result.kind === 'created',
        fallback: {
          policy: existing?.facts.fallback ?? policy,
          mode,
          provisionalRef: existing ? existing.facts.provisionalRef : provisionalRef,
          instructions: service.manualInstructions || null,
        },
      };
    }
    throw new DomainError('unavailable', 'provisional-reference-exhausted', 'Could not issue a provisional reference; please try again.', {
      retryAfterSeconds: 1,
    });
  }
}
