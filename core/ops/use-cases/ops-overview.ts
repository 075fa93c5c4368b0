import type { Catalogue } from '../../../contracts/src/catalogue';
import { DEFAULT_REPLAY, type AgencyDefinition } from '../../../contracts/src/catalogue.types';
import type { OpsOverview } from '../../../contracts/src/message.types';
import type { AgencyCallWindow } from '../../agencies/agency-call-window';
import type { AgencyHealthProbe } from '../../agencies/agency-health.port';
import type { AgencyModes } from '../../agencies/agency-modes';
import type { Alert, AlertRepository } from '../../alerts/alert.repository';
import { ERROR_RATE_WINDOW_MS } from '../../alerts/domain/alert-policy';
import type { CentreActivityQuery } from '../../centres/centre-activity.query';
import type { CentreRepository } from '../../centres/centre.repository';
import { DEFAULT_TIME_ZONE } from '../../centres/domain/centre';
import { localDate } from '../../centres/domain/local-time';
import type { RetryQueue } from '../../retry-queue/retry-queue.port';
import type { Clock } from '../../shared/clock';
import { replayEtaSeconds } from '../../transactions/domain/replay-progress';
import type { TransactionRepository } from '../../transactions/transaction.repository';
import type { KpiRow } from '../../walk-in/domain/kpi';
import type { KpiQuery } from '../../walk-in/kpi.query';

export interface OpsOverviewDeps {
  catalogue: Catalogue;
  health: Pick<AgencyHealthProbe, 'breakerState' | 'breakerOpenSince'>;
  calls: Pick<AgencyCallWindow, 'summary'>;
  modes: Pick<AgencyModes, 'setting' | 'effective'>;
  retries: Pick<RetryQueue, 'depth'>;
  transactions: Pick<TransactionRepository, 'replayProgress' | 'openCountsByAgency'>;
  centres: Pick<CentreRepository, 'list'>;
  activity: CentreActivityQuery;
  kpis: KpiQuery;
  alerts: Pick<AlertRepository, 'recent' | 'heartbeats'>;
  clock: Clock;
}

const RECENT_ALERTS_MS = 60 * 60_000;

/**
 * The operations room's read model (GET /v1/ops/overview, the /ops page's stream): one read of
 * every agency, centre, worker and alert, from the same sources as the API's own views (modes,
 * replay progress, retry queue, tickets, KPIs), plus this replica's breakers and calls.
 */
export class GetOpsOverview {
  constructor(private readonly deps: OpsOverviewDeps) {}

  async execute(): Promise<OpsOverview> {
    const now = this.deps.clock.now();
    const [agencies, centres, workers, alerts] = await Promise.all([
      this.agencies(now),
      this.centres(now),
      this.deps.alerts.heartbeats(),
      this.deps.alerts.recent(new Date(now.getTime() - RECENT_ALERTS_MS), 50),
    ]);
    return {
      generatedAt: now.toISOString(),
      agencies,
      centres,
      workers: workers.map((w) => ({ instance: w.instance, beatAt: w.beatAt.toISOString(), silentSeconds: Math.max(0, Math.floor((now.getTime() - w.beatAt.getTime()) / 1000)) })),
      alerts: alerts.map(alertView),
    };
  }

  private async agencies(now: Date): Promise<OpsOverview['agencies']> {
    const { catalogue, health, calls, modes, retries, transactions } = this.deps;
    const [depth, open] = await Promise.all([retries.depth(), transactions.openCountsByAgency()]);
    return Promise.all(
      catalogue.agencies.map(async (agency: AgencyDefinition) => {
        const [setting, mode, progress] = await Promise.all([modes.setting(agency.code), modes.effective(agency.code), transactions.replayProgress(agency.code, now)]);
        const perSecond = (agency.replay ?? DEFAULT_REPLAY).perSecond;
        const window = calls.summary(agency.code, now, ERROR_RATE_WINDOW_MS);
        const openSince = health.breakerOpenSince(agency.code);
        return {
          code: agency.code,
          name: agency.name,
          kind: agency.adapter.kind,
          mode,
          modeReason: setting.mode === 'auto' ? null : setting.reason,
          breaker: health.breakerState(agency.code),
          breakerOpenSince: openSince?.toISOString() ?? null,
          calls: { calls: window.calls, failures: window.failures, errorRate: window.errorRate, meanMs: window.meanMs, maxMs: window.maxMs },
          retryQueue: depth[agency.code] ?? { waiting: 0, delayed: 0, active: 0 },
          backlog: progress.backlog,
          parked: open[agency.code]?.parked ?? 0,
          replay: {
            paused: setting.replayPaused,
            replayed: progress.replayed,
            failed: progress.failed,
            perSecond,
            etaSeconds: progress.backlog > 0 ? replayEtaSeconds(progress.backlog, progress.recent) : null,
          },
        };
      }),
    );
  }

  private async centres(now: Date): Promise<OpsOverview['centres']> {
    const { centres, activity, kpis } = this.deps;
    const today = localDate(now, DEFAULT_TIME_ZONE);
    const [list, current, rows] = await Promise.all([
      centres.list(),
      activity.current(now),
      kpis.rows({ from: today, to: today, centre: null, groupings: ['centre-day'], now }),
    ]);
    const byCentre = new Map<string, KpiRow>(rows.map((row) => [row.centre as string, row]));
    return list.map((centre) => {
      const figures = byCentre.get(centre.code)?.figures;
      return {
        code: centre.code,
        name: centre.name,
        waiting: current.waitingTickets[centre.code] ?? {},
        today: {
          date: today,
          ticketsIssued: figures?.ticketsIssued ?? 0,
          served: figures?.served ?? 0,
          noShows: figures?.noShows ?? 0,
          waitingMeanSeconds: figures?.waitingSeconds.mean ?? null,
          serviceMeanSeconds: figures?.serviceSeconds.mean ?? null,
          satisfaction: figures?.satisfaction.meanRating ?? null,
        },
      };
    });
  }
}

function alertView(alert: Alert): OpsOverview['alerts'][number] {
  return {
    rule: alert.rule,
    subject: alert.subject,
    state: alert.state,
    detail: alert.detail,
    firedAt: alert.firedAt.toISOString(),
    resolvedAt: alert.resolvedAt?.toISOString() ?? null,
    notified: alert.notifiedAt !== null,
  };
}
