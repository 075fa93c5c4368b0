/**
 * The operations room's alert rules and what makes each one true. Pure: the evaluator gathers the
 * facts (breaker, calls, backlog, replay progress, worker heartbeats) and asks `conditionsNow`.
 *
 *   breaker-open      an agency's breaker has been open longer than `breakerOpenSeconds`
 *   error-rate        more than `errorRatePercent` % of its calls failed in the last 5 minutes
 *                     (with at least `errorRateMinCalls` calls, so two failures of three are not a storm)
 *   backlog           more than `backlog` stored transactions wait for replay
 *   replay-stalled    the agency is back (auto, not paused) with a backlog, and the replay has not
 *                     moved for `replayStalledSeconds`
 *   worker-heartbeat  a worker process has not said it is alive for `workerHeartbeatSeconds`
 */
export const ALERT_RULES = ['breaker-open', 'error-rate', 'backlog', 'replay-stalled', 'worker-heartbeat'] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

/** The error-rate rule's window. */
export const ERROR_RATE_WINDOW_MS = 5 * 60_000;

export interface AgencyAlertThresholds {
  breakerOpenSeconds: number;
  errorRatePercent: number;
  errorRateMinCalls: number;
  backlog: number;
  replayStalledSeconds: number;
}

export interface AlertPolicy {
  /** For every agency not named in `agencies`, and for the thresholds an agency entry leaves out. */
  defaults: AgencyAlertThresholds;
  agencies: Readonly<Record<string, Partial<AgencyAlertThresholds>>>;
  workerHeartbeatSeconds: number;
  /** At most one notice per rule and subject per this period. */
  throttleSeconds: number;
}

export const DEFAULT_ALERT_POLICY: AlertPolicy = Object.freeze({
  defaults: Object.freeze({ breakerOpenSeconds: 120, errorRatePercent: 50, errorRateMinCalls: 10, backlog: 500, replayStalledSeconds: 300 }),
  agencies: Object.freeze({}),
  workerHeartbeatSeconds: 90,
  throttleSeconds: 900,
});

export function thresholdsFor(policy: AlertPolicy, agencyCode: string): AgencyAlertThresholds {
  return { ...policy.defaults, ...policy.agencies[agencyCode] };
}

/** What the evaluator knows of one agency at one moment. */
export interface AgencyFacts {
  agencyCode: string;
  breakerOpenSince: Date | null;
  /** Calls and failures of the last ERROR_RATE_WINDOW_MS. */
  calls: number;
  failures: number;
  backlog: number;
  /** Since when a replay that should run has not moved (null: it moves, or it should not run). */
  replayStillSince: Date | null;
}

export interface WorkerFacts {
  instance: string;
  beatAt: Date;
}

/** A rule that holds now for a subject (an agency code or a worker instance). */
export interface AlertCondition {
  rule: AlertRule;
  subject: string;
  value: number;
  threshold: number;
  /** Codes and figures only: it goes to the audit log, SMS, e-mail and webhooks. */
  detail: string;
}

export function conditionsNow(policy: AlertPolicy, now: Date, agencies: readonly AgencyFacts[], workers: readonly WorkerFacts[]): AlertCondition[] {
  const found: AlertCondition[] = [];
  const secondsSince = (at: Date) => Math.floor((now.getTime() - at.getTime()) / 1000);
  for (const agency of agencies) {
    const limits = thresholdsFor(policy, agency.agencyCode);
    const subject = agency.agencyCode;
    if (agency.breakerOpenSince) {
      const open = secondsSince(agency.breakerOpenSince);
      if (open > limits.breakerOpenSeconds) {
        found.push({ rule: 'breaker-open', subject, value: open, threshold: limits.breakerOpenSeconds, detail: `breaker of ${subject} open for ${open} s` });
      }
    }
    if (agency.calls >= limits.errorRateMinCalls && agency.calls > 0) {
      const percent = Math.round((agency.failures / agency.calls) * 1000) / 10;
      if (percent > limits.errorRatePercent) {
        found.push({
          rule: 'error-rate',
          subject,
          value: percent,
          threshold: limits.errorRatePercent,
          detail: `${agency.failures} of ${agency.calls} calls to ${subject} failed in 5 min (${percent} %)`,
        });
      }
    }
    if (agency.backlog > limits.backlog) {
      found.push({ rule: 'backlog', subject, value: agency.backlog, threshold: limits.backlog, detail: `${agency.backlog} stored transactions of ${subject} wait for replay` });
    }
    if (agency.replayStillSince) {
      const still = secondsSince(agency.replayStillSince);
      if (still > limits.replayStalledSeconds) {
        found.push({
          rule: 'replay-stalled',
          subject,
          value: still,
          threshold: limits.replayStalledSeconds,
          detail: `replay of ${subject} has not moved for ${still} s with ${agency.backlog} waiting`,
        });
      }
    }
  }
  for (const worker of workers) {
    const silent = secondsSince(worker.beatAt);
    if (silent > policy.workerHeartbeatSeconds) {
      found.push({
        rule: 'worker-heartbeat',
        subject: worker.instance,
        value: silent,
        threshold: policy.workerHeartbeatSeconds,
        detail: `worker ${worker.instance} silent for ${silent} s`,
      });
    }
  }
  return found;
}

/** `rule:subject`, the audit entity id of an alert. */
export function alertKey(rule: AlertRule, subject: string): string {
  return `${rule}:${subject}`;
}
