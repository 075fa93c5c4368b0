import type { Pool } from 'pg';
import type { AuditLog } from '../../audit/audit-log';
import type { NewAuditEvent } from '../../audit/audit-event';
import { withTransaction } from '../../db/pool';
import type { AlertCondition, AlertRule, WorkerFacts } from '../domain/alert-policy';
import { AlertRepository, type Alert } from '../alert.repository';

interface AlertRow {
  id: string;
  rule: AlertRule;
  subject: string;
  state: Alert['state'];
  detail: string;
  value: number;
  threshold: number;
  fired_at: Date;
  resolved_at: Date | null;
  notified_at: Date | null;
}

const COLUMNS = 'id::text AS id, rule, subject, state, detail, value, threshold, fired_at, resolved_at, notified_at';

export class PgAlertRepository extends AlertRepository {
  constructor(
    private readonly pool: Pool,
    private readonly audit: AuditLog,
  ) {
    super();
  }

  async firing(): Promise<Alert[]> {
    const { rows } = await this.pool.query<AlertRow>(`SELECT ${COLUMNS} FROM ops_alerts WHERE state = 'firing' ORDER BY fired_at DESC`);
    return rows.map(toAlert);
  }

  async recent(since: Date, limit: number): Promise<Alert[]> {
    const { rows } = await this.pool.query<AlertRow>(
      `SELECT ${COLUMNS} FROM ops_alerts WHERE state = 'firing' OR resolved_at >= $1 ORDER BY (state = 'firing') DESC, fired_at DESC LIMIT $2`,
      [since, limit],
    );
    return rows.map(toAlert);
  }

  fire(condition: AlertCondition, at: Date, event: NewAuditEvent): Promise<Alert | null> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<AlertRow>(
        `INSERT INTO ops_alerts (rule, subject, state, detail, value, threshold, fired_at)
         VALUES ($1, $2, 'firing', $3, $4, $5, $6)
         ON CONFLICT (rule, subject) WHERE state = 'firing' DO NOTHING
         RETURNING ${COLUMNS}`,
        [condition.rule, condition.subject, condition.detail, condition.value, condition.threshold, at],
      );
      if (rows.length === 0) return null;
      await this.audit.append(client, event);
      return toAlert(rows[0]);
    });
  }

  async refresh(condition: AlertCondition): Promise<void> {
    await this.pool.query(`UPDATE ops_alerts SET detail = $3, value = $4, threshold = $5 WHERE rule = $1 AND subject = $2 AND state = 'firing'`, [
      condition.rule,
      condition.subject,
      condition.detail,
      condition.value,
      condition.threshold,
    ]);
  }

  resolve(rule: AlertRule, subject: string, at: Date, event: NewAuditEvent): Promise<Alert | null> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<AlertRow>(
        `UPDATE ops_alerts SET state = 'resolved', resolved_at = $3
         WHERE rule = $1 AND subject = $2 AND state = 'firing'
         RETURNING ${COLUMNS}`,
        [rule, subject, at],
      );
      if (rows.length === 0) return null;
      await this.audit.append(client, event);
      return toAlert(rows[0]);
    });
  }

  claimNotice(rule: AlertRule, subject: string, alertId: string, at: Date, throttleMs: number): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query(
        `INSERT INTO ops_alert_throttle (rule, subject, notified_at) VALUES ($1, $2, $3)
         ON CONFLICT (rule, subject) DO UPDATE SET notified_at = EXCLUDED.notified_at
           WHERE ops_alert_throttle.notified_at <= $3::timestamptz - make_interval(secs => $4::double precision / 1000)
         RETURNING 1`,
        [rule, subject, at, throttleMs],
      );
      if (rows.length === 0) return false;
      await client.query('UPDATE ops_alerts SET notified_at = $2 WHERE id = $1', [alertId, at]);
      return true;
    });
  }

  async beat(instance: string, startedAt: Date, at: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO worker_heartbeats (instance, started_at, beat_at) VALUES ($1, $2, $3)
       ON CONFLICT (instance) DO UPDATE SET beat_at = EXCLUDED.beat_at`,
      [instance, startedAt, at],
    );
  }

  async forgetWorker(instance: string): Promise<void> {
    await this.pool.query('DELETE FROM worker_heartbeats WHERE instance = $1', [instance]);
  }

  async heartbeats(): Promise<WorkerFacts[]> {
    const { rows } = await this.pool.query<{ instance: string; beat_at: Date }>('SELECT instance, beat_at FROM worker_heartbeats ORDER BY instance');
    return rows.map((row) => ({ instance: row.instance, beatAt: row.beat_at }));
  }
}

function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    rule: row.rule,
    subject: row.subject,
    state: row.state,
    detail: row.detail,
    value: Number(row.value),
    threshold: Number(row.threshold),
    firedAt: row.fired_at,
    resolvedAt: row.resolved_at,
    notifiedAt: row.notified_at,
  };
}
