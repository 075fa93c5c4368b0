import type { AgencyCallWindow } from '../../agencies/agency-call-window';
import type { AgencyHealthProbe } from '../../agencies/agency-health.port';
import type { AgencyModes } from '../../agencies/agency-modes';
import type { Clock } from '../../shared/clock';
import type { TransactionRepository } from '../../transactions/transaction.repository';
import type { AlertChannel, AlertNotice } from '../alert-channel.port';
import type { Alert, AlertRepository } from '../alert.repository';
import { alertKey, conditionsNow, ERROR_RATE_WINDOW_MS, type AgencyFacts, type AlertCondition, type AlertPolicy } from '../domain/alert-policy';

export interface EvaluateAlertsDeps {
  policy: AlertPolicy;
  agencyCodes: () => readonly string[];
  health: Pick<AgencyHealthProbe, 'breakerOpenSince'>;
  calls: Pick<AgencyCallWindow, 'summary'>;
  transactions: Pick<TransactionRepository, 'replayProgress'>;
  modes: Pick<AgencyModes, 'effective' | 'setting'>;
  alerts: AlertRepository;
  channels: readonly AlertChannel[];
  clock: Clock;
  /** This worker process, for its heartbeat (`worker-<host>-<pid>-<random>`). */
  instance: string;
  log: { warn(message: string): void };
}

export interface AlertPassResult {
  fired: string[];
  resolved: string[];
  notified: string[];
}

const ACTOR = 'system:alerts';

/**
 * One alert pass of a worker (every KIUNGO_ALERT_INTERVAL_MS on the shared scheduler): says this
 * worker is alive, gathers the facts, fires the rules that hold and were not firing, resolves
 * those firing that no longer hold, each with its audit event, and tells the channels, at most
 * once per rule and subject per throttle period. Several workers may run it at once: the database
 * decides who fires, resolves and notifies, so each happens once.
 */
export class EvaluateAlerts {
  private readonly startedAt: Date;
  /** Replay progress last seen per agency, and since when it has not moved. */
  private readonly replaySeen = new Map<string, { backlog: number; replayed: number; since: Date }>();

  constructor(private readonly deps: EvaluateAlertsDeps) {
    this.startedAt = deps.clock.now();
  }

  async execute(): Promise<AlertPassResult> {
    const { alerts, clock, instance } = this.deps;
    const now = clock.now();
    await alerts.beat(instance, this.startedAt, now);
    const [agencies, workers, firing] = await Promise.all([this.agencyFacts(now), alerts.heartbeats(), alerts.firing()]);
    const holding = conditionsNow(this.deps.policy, now, agencies, workers.filter((w) => w.instance !== instance));
    const result: AlertPassResult = { fired: [], resolved: [], notified: [] };

    const firingByKey = new Map(firing.map((alert) => [alertKey(alert.rule, alert.subject), alert]));
    for (const condition of holding) {
      const key = alertKey(condition.rule, condition.subject);
      if (firingByKey.has(key)) {
        await alerts.refresh(condition);
        continue;
      }
      const alert = await alerts.fire(condition, now, this.event(condition, 'fired', now));
      if (!alert) continue;
      result.fired.push(key);
      if (await alerts.claimNotice(alert.rule, alert.subject, alert.id, now, this.deps.policy.throttleSeconds * 1000)) {
        await this.tell(notice(alert, 'firing', now));
        result.notified.push(key);
      }
    }
    const holdingKeys = new Set(holding.map((c) => alertKey(c.rule, c.subject)));
    for (const [key, alert] of firingByKey) {
      if (holdingKeys.has(key)) continue;
      const resolved = await alerts.resolve(alert.rule, alert.subject, now, {
        entityType: 'ops-alert',
        entityId: key,
        type: 'resolved',
        actor: ACTOR,
        data: { rule: alert.rule, subject: alert.subject, firedAt: alert.firedAt.toISOString() },
        occurredAt: now,
      });
      if (!resolved) continue;
      result.resolved.push(key);
      // A resolution is told when its firing was: the on-call phone never keeps an alert nobody closed.
      if (resolved.notifiedAt) await this.tell(notice(resolved, 'resolved', now));
    }
    return result;
  }

  /** A worker that stops cleanly removes its heartbeat, so that it is not reported missing. */
  async stop(): Promise<void> {
    await this.deps.alerts.forgetWorker(this.deps.instance);
  }

  private async agencyFacts(now: Date): Promise<AgencyFacts[]> {
    const { health, calls, transactions, modes } = this.deps;
    return Promise.all(
      this.deps.agencyCodes().map(async (agencyCode) => {
        const [progress, effective, setting] = await Promise.all([transactions.replayProgress(agencyCode, now), modes.effective(agencyCode), modes.setting(agencyCode)]);
        const window = calls.summary(agencyCode, now, ERROR_RATE_WINDOW_MS);
        const replayShouldRun = progress.backlog > 0 && effective === 'auto' && !setting.replayPaused;
        return {
          agencyCode,
          breakerOpenSince: health.breakerOpenSince(agencyCode),
          calls: window.calls,
          failures: window.failures,
          backlog: progress.backlog,
          replayStillSince: this.replayStillSince(agencyCode, replayShouldRun, progress, now),
        };
      }),
    );
  }

  private replayStillSince(agencyCode: string, shouldRun: boolean, progress: { backlog: number; replayed: number }, now: Date): Date | null {
    const seen = this.replaySeen.get(agencyCode);
    if (!shouldRun) {
      this.replaySeen.delete(agencyCode);
      return null;
    }
    if (!seen || seen.backlog !== progress.backlog || seen.replayed !== progress.replayed) {
      this.replaySeen.set(agencyCode, { backlog: progress.backlog, replayed: progress.replayed, since: now });
      return now;
    }
    return seen.since;
  }

  private event(condition: AlertCondition, type: 'fired', at: Date) {
    return {
      entityType: 'ops-alert',
      entityId: alertKey(condition.rule, condition.subject),
      type,
      actor: ACTOR,
      data: { rule: condition.rule, subject: condition.subject, value: condition.value, threshold: condition.threshold, detail: condition.detail },
      occurredAt: at,
    };
  }

  private async tell(message: AlertNotice): Promise<void> {
    await Promise.all(
      this.deps.channels.map((channel) =>
        channel.send(message).catch((error: Error) => this.deps.log.warn(`alert ${message.rule} ${message.subject}: the ${channel.name} channel failed (${error.message})`)),
      ),
    );
  }
}

function notice(alert: Alert, state: AlertNotice['state'], at: Date): AlertNotice {
  return { state, rule: alert.rule, subject: alert.subject, detail: alert.detail, value: alert.value, threshold: alert.threshold, firedAt: alert.firedAt, at };
}
