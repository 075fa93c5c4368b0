import type { Catalogue } from '../../../contracts/src/catalogue';
import type { AgencyOutcome } from '../../../contracts/src/dispatch';
import type { NewAuditEvent } from '../../audit/audit-event';
import type { Clock } from '../../shared/clock';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { AgencyGateway } from '../agency-gateway.port';
import type { CompletionNotifier } from '../completion-notifier.port';
import { DEFAULT_ANSWER_TIMEOUT_MS } from '../domain/attempt-outcome';
import type { Citizen, TransactionRecord } from '../domain/transaction';
import type { FallbackFacts, FallbackRepository } from '../fallback.repository';
import type { StateChange } from '../transaction.repository';

export const REPLAY_ACTOR = 'system:replay';
/** The `citizen_notices` kind of a stored transaction completed on replay. */
const COMPLETED_NOTICE = 'transaction-completed';

/** Transient codes that no retry will cure: the request or our mapping is wrong. A human looks. */
const NEEDS_A_HUMAN = new Set(['misconfigured', 'bad_response']);
/**
 * Rejections that say the request was malformed rather than refused on its merits: a bare HTTP
 * status without a business code (the adapter's `HTTP_4xx`), or a code that says so.
 */
const MALFORMED = /^HTTP_\d{3}$|MALFORMED|INVALID|BAD_REQUEST|VALIDATION|SCHEMA/i;

/** A replay outcome a person must look at before anything is sent again: park it. */
export function needsAHuman(outcome: AgencyOutcome): boolean {
  if (outcome.kind === 'transient') return NEEDS_A_HUMAN.has(outcome.code);
  return outcome.kind === 'rejected' && MALFORMED.test(outcome.code);
}

export type ReplayStep =
  /** One stored transaction was sent and its outcome recorded (completed, rejected, parked, conflict…). */
  | { kind: 'replayed'; state: string }
  /** Nothing left to replay (or the lease was lost to another worker). */
  | { kind: 'idle' }
  /** The agency failed transiently: the transaction stays in the backlog; the caller backs off. */
  | { kind: 'deferred'; retryAfterMs?: number };

/**
 * Replays an agency's store-and-forward backlog one transaction at a time, oldest first. The
 * caller holds the agency's replay lease (only one replayer per agency: FIFO at the agency) and
 * paces the calls. Each claim bumps `attempts` and the outcome is applied only if that attempt is
 * still current and the row still `manual`, so a transaction's outcome is recorded once; the
 * transaction id is the agency's idempotency key, so a replay repeated after a crash creates no
 * second application.
 */
export class ReplayStoredTransactions {
  constructor(
    private readonly fallbacks: FallbackRepository,
    private readonly catalogue: Catalogue,
    private readonly agencies: AgencyGateway,
    private readonly vault: PersonalDataVault,
    private readonly clock: Clock,
    private readonly notifier: CompletionNotifier,
  ) {}

  async replayNext(agencyCode: string, owner: string, leaseMs: number): Promise<ReplayStep> {
    const claimed = await this.fallbacks.claimNextReplay(agencyCode, owner, leaseMs);
    if (!claimed) return { kind: 'idle' };
    const sentAt = this.clock.now();
    const outcome: AgencyOutcome = this.catalogue.service(claimed.serviceCode)
      ? await this.agencies.dispatch(
          agencyCode,
          {
            transactionId: claimed.id,
            serviceCode: claimed.serviceCode,
            payload: this.vault.open<Record<string, unknown>>(claimed.payloadSealed),
            attempt: claimed.attempts,
          },
          { inline: false },
        )
      : { kind: 'transient', code: 'misconfigured', reason: `service ${claimed.serviceCode} is no longer in the catalogue` };
    return this.record(claimed, outcome, sentAt);
  }

  private async record(claimed: TransactionRecord, outcome: AgencyOutcome, sentAt: Date): Promise<ReplayStep> {
    const now = this.clock.now();
    const event = (type: string, at: Date, data: Record<string, unknown>): NewAuditEvent => ({
      entityType: 'transaction',
      entityId: claimed.id,
      type,
      actor: REPLAY_ACTOR,
      data: { attempt: claimed.attempts, replay: true, ...data },
      occurredAt: at,
    });
    if (outcome.kind === 'transient' && !needsAHuman(outcome)) {
      // Not this transaction's fault: it keeps its place in the backlog; no audit noise per try.
      await this.fallbacks.applyReplay(claimed.id, claimed.attempts, { state: 'manual', keepPending: true, lastError: { code: outcome.code, reason: outcome.reason } }, []);
      return { kind: 'deferred', retryAfterMs: outcome.retryAfterMs };
    }
    const { change, events } =
      (outcome.kind === 'transient' || outcome.kind === 'rejected') && needsAHuman(outcome) ? park(outcome, now, event) : decide(outcome, now, event);
    const citizen = change.state === 'completed' ? this.vault.open<Citizen>(claimed.citizenSealed) : undefined;
    const applied = await this.fallbacks.applyReplay(
      claimed.id,
      claimed.attempts,
      change,
      [event('dispatched', sentAt, {}), ...events],
      // Recorded with the completion itself, so a crash right after it cannot lose the notice.
      citizen && { kind: COMPLETED_NOTICE, phoneSealed: citizen.phone ? this.vault.seal(citizen.phone) : null },
    );
    if (applied.kind === 'applied') {
      if (applied.noticeRecorded && citizen) await this.notify(applied.row.record, applied.row.facts, citizen);
      return { kind: 'replayed', state: applied.row.record.state };
    }
    // The row moved while the agency was called. If an officer recorded the paper outcome
    // meanwhile and the agency also took the application, a manager must reconcile the two.
    const current = await this.fallbacks.find(claimed.id);
    if (current?.facts.manualOutcome && outcome.kind !== 'transient') {
      const agency = {
        agencyRef: outcome.kind === 'accepted' ? outcome.agencyRef : null,
        outcome: outcome.kind === 'accepted' ? 'completed' : outcome.kind,
        at: now.toISOString(),
      };
      const flagged = await this.fallbacks.flagConflictFromReplay(claimed.id, agency, event('conflict', now, { agencyRef: agency.agencyRef, agencyOutcome: agency.outcome }));
      if (flagged) return { kind: 'replayed', state: 'conflict' };
    }
    return { kind: 'replayed', state: current?.record.state ?? 'unknown' };
  }

  private async notify(record: TransactionRecord, facts: FallbackFacts, citizen: Citizen): Promise<void> {
    if (!record.agencyRef) return;
    await this.notifier.transactionCompleted({
      transactionId: record.id,
      ...(citizen.phone && { phone: citizen.phone }),
      provisionalRef: facts.provisionalRef,
      agencyRef: record.agencyRef,
      serviceCode: record.serviceCode,
    });
  }
}

type Event = (type: string, at: Date, data: Record<string, unknown>) => NewAuditEvent;

function decide(
  outcome: AgencyOutcome,
  now: Date,
  event: Event,
): { change: StateChange & { keepPending: boolean; parkedReason?: FallbackFacts['parkedReason'] }; events: NewAuditEvent[] } {
  switch (outcome.kind) {
    case 'accepted':
      return {
        change: { state: 'completed', agencyRef: outcome.agencyRef, result: outcome.result ?? null, lastError: null, nextAttemptAt: null, keepPending: false },
        events: [event('completed', now, { agencyRef: outcome.agencyRef })],
      };
    case 'rejected':
      return {
        change: { state: 'rejected', lastError: { code: outcome.code, reason: outcome.reason }, nextAttemptAt: null, keepPending: false },
        events: [event('rejected', now, { code: outcome.code, reason: outcome.reason })],
      };
    case 'pending':
      return {
        change: { state: 'dispatched', lastError: null, nextAttemptAt: new Date(now.getTime() + (outcome.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS)), keepPending: false },
        events: [],
      };
    case 'transient':
      return park(outcome, now, event);
  }
}

function park(outcome: { code: string; reason: string }, now: Date, event: Event): ReturnType<typeof decide> {
  const parkedReason = { code: outcome.code, reason: outcome.reason, at: now.toISOString() };
  return {
    change: { state: 'parked', lastError: { code: outcome.code, reason: outcome.reason }, nextAttemptAt: null, keepPending: false, parkedReason },
    events: [event('parked', now, { code: outcome.code, reason: outcome.reason })],
  };
}
