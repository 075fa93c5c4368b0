import { randomBytes } from 'node:crypto';
import { AgencyCallWindow } from '../../core/agencies/agency-call-window';
import { AlertChannel, type AlertNotice } from '../../core/alerts/alert-channel.port';
import { SmsAlertChannel } from '../../core/alerts/channels/sms-alert.channel';
import { DEFAULT_ALERT_POLICY, type AlertPolicy } from '../../core/alerts/domain/alert-policy';
import { PgAlertRepository } from '../../core/alerts/pg/alert.pg-repository';
import { EvaluateAlerts } from '../../core/alerts/use-cases/evaluate-alerts';
import { AuditLog } from '../../core/audit/audit-log';
import { NotificationLog } from '../../core/notifications/notification-log';
import { OutboxNotifier } from '../../core/notifications/outbox.notifier';
import { PersonalDataVault } from '../../core/shared/personal-data';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { SettableClock } from '../factories/clock';

/** Collects what the alert channels were told (the real channels have their own spec: alert-channels.int-spec.ts). */
class RecordingChannel extends AlertChannel {
  readonly name = 'recording';
  constructor(readonly told: AlertNotice[]) {
    super();
  }
  async send(notice: AlertNotice): Promise<void> {
    this.told.push(notice);
  }
}

/**
 * The worker's alert pass on the real database: two workers evaluating at once fire, resolve and
 * notify each alert once; each firing and resolution is an audit event; notices are throttled per
 * rule and subject; a silent worker is reported by another; the SMS channel goes through the
 * Notifier port into the notifications table (phone sealed).
 */
describe('alerts on the database', () => {
  let db: TestDatabase;
  let audit: AuditLog;
  const clock = new SettableClock(new Date('2026-11-24T07:00:00.000Z'));
  const told: AlertNotice[] = [];
  // What the worker would learn from its breakers and the database; the test sets it.
  const facts = { openSince: null as Date | null, backlog: 0, replayed: 0 };
  const policy: AlertPolicy = { ...DEFAULT_ALERT_POLICY, workerHeartbeatSeconds: 60, throttleSeconds: 900 };

  const evaluator = (instance: string, extra: AlertChannel[] = []) =>
    new EvaluateAlerts({
      policy,
      agencyCodes: () => ['nrb'],
      health: { breakerOpenSince: () => facts.openSince },
      calls: new AgencyCallWindow(),
      transactions: { replayProgress: async () => ({ backlog: facts.backlog, replayed: facts.replayed, failed: 0, recent: { count: 0, spanSeconds: 0 } }) },
      modes: { effective: async () => 'auto', setting: async (agencyCode: string) => ({ agencyCode, mode: 'auto', reason: null, window: null, changedBy: null, changedAt: null, replayPaused: false }) },
      alerts: new PgAlertRepository(db.pool, audit),
      channels: [new RecordingChannel(told), ...extra],
      clock,
      instance,
      log: { warn: () => undefined },
    });

  const events = async (entityId: string) =>
    (await db.pool.query(`SELECT type, actor, data FROM audit_events WHERE entity_type = 'ops-alert' AND entity_id = $1 ORDER BY shard, seq`, [entityId])).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    audit = await AuditLog.open(db.pool);
  });
  afterAll(() => db?.close());

  it('fires once for two workers, tells once, then resolves once and tells that too', async () => {
    const vault = new PersonalDataVault(randomBytes(32));
    const sms = new SmsAlertChannel(new OutboxNotifier(new NotificationLog(db.pool, vault)), ['+254700000001']);
    const [a, b] = [evaluator('worker-a', [sms]), evaluator('worker-b', [sms])];
    facts.openSince = new Date(clock.now().getTime() - 200_000);
    const passes = await Promise.all([a.execute(), b.execute()]);
    expect(passes.flatMap((p) => p.fired)).toEqual(['breaker-open:nrb']);
    expect(told).toMatchObject([{ state: 'firing', rule: 'breaker-open', subject: 'nrb', value: 200, threshold: 120 }]);
    const { rows: texts } = await db.pool.query(`SELECT template, body, status FROM notifications WHERE template = 'ops-alert'`);
    expect(texts).toEqual([{ template: 'ops-alert', body: 'Kiungo ALERT: breaker-open nrb. breaker of nrb open for 200 s', status: 'recorded' }]);

    clock.advance(10_000);
    await Promise.all([a.execute(), b.execute()]);
    expect(told).toHaveLength(1); // still firing: figures refreshed, nothing told again
    expect((await db.pool.query(`SELECT value FROM ops_alerts WHERE state = 'firing'`)).rows).toEqual([{ value: 210 }]);

    facts.openSince = null;
    clock.advance(10_000);
    const closing = await Promise.all([a.execute(), b.execute()]);
    expect(closing.flatMap((p) => p.resolved)).toEqual(['breaker-open:nrb']);
    expect(told.map((n) => n.state)).toEqual(['firing', 'resolved']);
    expect((await events('breaker-open:nrb')).map((e) => [e.type, e.actor])).toEqual([
      ['fired', 'system:alerts'],
      ['resolved', 'system:alerts'],
    ]);
    await a.stop();
    await b.stop();
  });

  it('throttles: a second firing within the period is audited and shown, not told', async () => {
    const a = evaluator('worker-a');
    told.length = 0;
    facts.openSince = new Date(clock.now().getTime() - 130_000);
    expect((await a.execute()).fired).toEqual(['breaker-open:nrb']);
    facts.openSince = null;
    clock.advance(1000);
    expect((await a.execute()).resolved).toEqual(['breaker-open:nrb']);
    expect(told).toEqual([]); // the first firing's notice was less than 900 s ago
    expect((await db.pool.query(`SELECT notified_at FROM ops_alerts ORDER BY id DESC LIMIT 1`)).rows[0].notified_at).toBeNull();
    expect((await events('breaker-open:nrb')).map((e) => e.type)).toEqual(['fired', 'resolved', 'fired', 'resolved']);

    clock.advance(900_000);
    facts.openSince = new Date(clock.now().getTime() - 130_000);
    await a.execute();
    expect(told.map((n) => n.state)).toEqual(['firing']); // the period is over
    facts.openSince = null;
    await a.execute();
    await a.stop();
  });

  it('reports a worker that stopped beating, and a replay that has not moved', async () => {
    told.length = 0;
    const [a, b] = [evaluator('worker-a'), evaluator('worker-b')];
    await a.execute();
    clock.advance(61_000);
    facts.backlog = 40;
    expect((await b.execute()).fired).toEqual(['worker-heartbeat:worker-a']);
    expect(told[0]).toMatchObject({ rule: 'worker-heartbeat', subject: 'worker-a', detail: 'worker worker-a silent for 61 s' });

    clock.advance(301_000);
    expect((await b.execute()).fired).toEqual(['replay-stalled:nrb']);
    facts.replayed = 5;
    facts.backlog = 35;
    // worker-a is back, and the replay moved: whichever worker looks first resolves both.
    expect((await a.execute()).resolved.sort()).toEqual(['replay-stalled:nrb', 'worker-heartbeat:worker-a']);
    clock.advance(1000);
    expect(await b.execute()).toEqual({ fired: [], resolved: [], notified: [] });
    await a.stop();
    await b.stop();
    expect((await db.pool.query('SELECT count(*)::int AS n FROM worker_heartbeats')).rows[0].n).toBe(0);
  });
});
