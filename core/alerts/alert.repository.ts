import type { NewAuditEvent } from '../audit/audit-event';
import type { AlertCondition, AlertRule, WorkerFacts } from './domain/alert-policy';

export interface Alert {
  id: string;
  rule: AlertRule;
  subject: string;
  state: 'firing' | 'resolved';
  detail: string;
  value: number;
  threshold: number;
  firedAt: Date;
  resolvedAt: Date | null;
  notifiedAt: Date | null;
}

/** Alerts, their throttle and the workers' heartbeats; the pg implementation lives in ./pg. */
export abstract class AlertRepository {
  abstract firing(): Promise<Alert[]>;

  /** Firing alerts and those resolved since `since`, newest first (the /ops page). */
  abstract recent(since: Date, limit: number): Promise<Alert[]>;

  /**
   * Starts a firing of `condition` with `event`, in one database transaction; null when it is
   * already firing (another worker got there first): exactly one firing, one audit event.
   */
  abstract fire(condition: AlertCondition, at: Date, event: NewAuditEvent): Promise<Alert | null>;

  /** Updates the figures of a firing alert (no event: the firing is the event). */
  abstract refresh(condition: AlertCondition): Promise<void>;

  /** Ends the firing of `rule` for `subject` with `event`; null when it was not firing. */
  abstract resolve(rule: AlertRule, subject: string, at: Date, event: NewAuditEvent): Promise<Alert | null>;

  /**
   * Takes the right to notify for `rule` and `subject` at `at` when none was taken in the
   * `throttleMs` before it (false: throttled, or another worker took it); marks alert `alertId` notified.
   */
  abstract claimNotice(rule: AlertRule, subject: string, alertId: string, at: Date, throttleMs: number): Promise<boolean>;

  abstract beat(instance: string, startedAt: Date, at: Date): Promise<void>;

  /** A worker that stops cleanly is not missing. */
  abstract forgetWorker(instance: string): Promise<void>;

  abstract heartbeats(): Promise<WorkerFacts[]>;
}
