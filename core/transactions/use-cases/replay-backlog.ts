import type { Catalogue } from '../../../contracts/src/catalogue';
import { DEFAULT_REPLAY } from '../../../contracts/src/catalogue.types';
import type { AgencyHealthProbe } from '../../agencies/agency-health.port';
import type { AgencyModeRepository } from '../../agencies/agency-mode.repository';
import type { AgencyModes } from '../../agencies/agency-modes';
import type { Clock } from '../../shared/clock';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { SmsTemplate } from '../../notifications/notifier.port';
import { renderSms } from '../../notifications/sms-templates';
import { nextState, refusedByOurBreaker } from '../domain/agency-outcome';
import { replayConflictStep } from '../domain/conflicts';
import type { Citizen, Transaction } from '../domain/transaction';
import type { ApplyOptions, TransactionRepository } from '../transaction.repository';
import type { AgencyCall } from './agency-call';

/** The `citizen_notices` kind (and SMS template) of a stored transaction completed on replay. */
export const COMPLETED_NOTICE = 'transaction-completed' satisfies SmsTemplate;
/** How long a replayer waits before looking at an agency again when there was nothing to do. */
export const REPLAY_IDLE_MS = 500;
/** Longest back-off after a transient failure during replay. */
const MAX_DEFER_MS = 10_000;

export type ReplayStep =
  /** One stored transaction was sent and its outcome recorded (completed, rejected, parked, conflict…). */
  | { kind: 'replayed'; state: string }
  /** Nothing left to replay (or the lease was lost to another worker). */
  | { kind: 'idle' }
  /** The agency failed transiently: the transaction stays in the backlog; the caller backs off. */
  | { kind: 'deferred'; retryAfterMs?: number };

/** The replayer's own time and waits (a monotonic clock; waits end early when the process stops). */
export interface ReplayPacer {
  /** Milliseconds, monotonic. */
  now(): number;
  wait(ms: number): Promise<void>;
  stopping(): boolean;
}

/**
 * Replays an agency's store-and-forward backlog when the agency is back (DESIGN.md "Manual
 * fallback"): mode `auto` (or degraded, once the breaker lets a trial through), replay not
 * paused, breaker not open and its health check passing. Oldest first, at the agency's
 * `replay.perSecond`, under the agency's replay lease in PostgreSQL (one replayer at a time: FIFO
 * at the agency). Each claim bumps `attempts` and the outcome is applied only if that attempt is
 * still current and the row still waits in the backlog, so an outcome is recorded once; the
 * transaction id is the agency's idempotency key, so a replay repeated after a crash files no
 * second application. All state is in the database: a killed worker's successor carries on.
 */
export class ReplayBacklog {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly catalogue: Catalogue,
    private readonly modes: AgencyModes,
    private readonly leases: AgencyModeRepository,
    private readonly health: AgencyHealthProbe,
    private readonly call: AgencyCall,
    private readonly vault: PersonalDataVault,
    private readonly clock: Clock,
  ) {}

  /** Whether the agency takes replays now. */
  async ready(agencyCode: string): Promise<boolean> {
    const [mode, setting] = await Promise.all([this.modes.effective(agencyCode), this.modes.setting(agencyCode)]);
    // `degraded` is auto with a long-open breaker: once it is half-open, the replay is the trial call.
    return (mode === 'auto' || mode === 'degraded') && !setting.replayPaused && !this.health.breakerOpen(agencyCode);
  }

  /** One replay session under the agency's lease, paced; how many transactions it replayed. */
  async session(agencyCode: string, owner: string, pacer: ReplayPacer): Promise<number> {
    const agency = this.catalogue.agency(agencyCode);
    if (!agency || !(await this.ready(agencyCode)) || !(await this.transactions.hasBacklog(agencyCode))) return 0;
    const leaseMs = agency.resilience.timeoutMs + 5000;
    if (!(await this.leases.acquireReplayLease(agencyCode, owner, leaseMs))) return 0;
    let replayed = 0;
    try {
      if (!(await this.health.healthy(agencyCode))) return 0;
      const intervalMs = 1000 / (agency.replay ?? DEFAULT_REPLAY).perSecond;
      let due = pacer.now();
      while (!pacer.stopping() && (await this.ready(agencyCode))) {
        await pacer.wait(due - pacer.now());
        if (pacer.stopping()) break;
        // Pace at the configured rate; a slow call does not earn a burst afterwards.
        due = Math.max(due + intervalMs, pacer.now());
        const step = await this.replayNext(agencyCode, owner, leaseMs);
        if (step.kind === 'idle') break;
        if (step.kind === 'deferred') {
          await pacer.wait(Math.min(MAX_DEFER_MS, Math.max(REPLAY_IDLE_MS, step.retryAfterMs ?? 1000)));
          break;
        }
        replayed++;
      }
    } finally {
      await this.leases.releaseReplayLease(agencyCode, owner).catch(() => undefined);
    }
    return replayed;
  }

  /** Sends the oldest waiting stored transaction of the agency and records its outcome. */
  async replayNext(agencyCode: string, owner: string, leaseMs: number): Promise<ReplayStep> {
    const claimed = await this.transactions.claimNextReplay(agencyCode, owner, leaseMs, this.clock.now());
    if (!claimed) return { kind: 'idle' };
    const sentAt = this.clock.now();
    const outcome = await this.call.send(claimed, { inline: false });
    // A failure while the agency's own health check passes is this transaction's, not an outage.
    const agencyHealthy = outcome.kind === 'transient' && !refusedByOurBreaker(outcome) ? await this.health.healthy(agencyCode) : undefined;
    const maxReplayFailures = (this.catalogue.agency(agencyCode)?.replay ?? DEFAULT_REPLAY).maxFailures;
    const step = nextState(claimed, outcome, { via: 'replay', sentAt }, { now: this.clock.now(), agencyHealthy, maxReplayFailures })!;
    const now = this.clock.now();
    const applied = await this.call.record(claimed, step, {
      // Recorded with the completion itself, so a crash right after it cannot lose the notice; the
      // worker sends it from the outbox (core/notifications/use-cases/drain-notices.ts).
      notice: step.then.kind === 'notify-citizen' && outcome.kind === 'accepted' ? this.completionNotice(claimed, outcome.agencyRef) : undefined,
    });
    // An outage is not this transaction's fault: it keeps its place, and the replayer backs off.
    if (step.then.kind === 'defer-replay') return { kind: 'deferred', retryAfterMs: step.then.retryAfterMs };
    if (applied) return { kind: 'replayed', state: applied.transaction.state };
    // The row moved while the agency was called. If an officer recorded the paper outcome
    // meanwhile and the agency also took the application, a manager must reconcile the two.
    const current = await this.transactions.find(claimed.id);
    const conflict = current && replayConflictStep(current, outcome, now);
    if (conflict && (await this.transactions.apply(claimed.id, conflict))) return { kind: 'replayed', state: 'conflict' };
    return { kind: 'replayed', state: current?.state ?? 'unknown' };
  }

  /** The SMS the acknowledgment promised: the final reference, for the citizen's phone (sealed). */
  private completionNotice(tx: Transaction, agencyRef: string): NonNullable<ApplyOptions['notice']> {
    const { phone } = this.vault.openCitizen<Citizen>(tx);
    const service = this.catalogue.service(tx.serviceCode)?.name ?? tx.serviceCode;
    const text = renderSms(COMPLETED_NOTICE, { service, provisionalRef: tx.provisionalRef ?? '', agencyRef });
    return { kind: COMPLETED_NOTICE, phoneSealed: phone ? this.vault.seal(phone) : null, text };
  }
}
