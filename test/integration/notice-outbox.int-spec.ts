import { randomBytes } from 'node:crypto';
import { AfricasTalkingNotifier } from '../../core/notifications/africastalking.notifier';
import { NotificationLog } from '../../core/notifications/notification-log';
import { NoticeOutbox } from '../../core/notifications/notice-outbox';
import { DrainNotices, NOTICE_RETRY } from '../../core/notifications/use-cases/drain-notices';
import { PersonalDataVault } from '../../core/shared/personal-data';
import { startSmsProvider, type SmsProviderSimulator } from '../simulators/sms-provider/africastalking.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';

/**
 * The citizen-notice outbox on the real database, drained through the real Africa's Talking driver
 * against a local HTTP provider: any kind of notice (an outage SMS about a booking, say) is written
 * once per key, sent once, retried after a failure and given up after NOTICE_RETRY.maxAttempts.
 */
describe('the citizen-notice outbox', () => {
  let db: TestDatabase;
  let sms: SmsProviderSimulator;
  let outbox: NoticeOutbox;
  let drain: DrainNotices;

  beforeAll(async () => {
    db = await createTestDatabase();
    sms = await startSmsProvider();
    const vault = new PersonalDataVault(randomBytes(32));
    outbox = new NoticeOutbox(db.pool, vault);
    const notifier = new AfricasTalkingNotifier({ url: sms.url, username: 'huduma', apiKey: 'k' }, new NotificationLog(db.pool, vault));
    // The smallest back-off draw: a retry is due at once (the floor), so the test need not wait.
    drain = new DrainNotices(outbox, notifier, vault, () => 0);
  });

  afterAll(async () => {
    await sms?.close();
    await db?.close();
  });

  const statusOf = async (key: string) =>
    (await db.pool.query<{ status: string; attempts: number; last_error: string | null }>(`SELECT status, attempts, last_error FROM citizen_notices WHERE notice_key = $1`, [key])).rows[0];
  const dueNow = () => db.pool.query(`UPDATE citizen_notices SET next_attempt_at = now() WHERE status = 'pending'`);

  it('keeps one notice per key, sends it once, and keeps one without a phone unsent', async () => {
    const notice = { kind: 'booking-outage', text: 'Huduma: GPO centre closed today; booking K7QM-4X3P moved to Wed 25 Nov, 09:30.', phone: '+254722000001', key: 'outage:K7QM-4X3P' };
    expect(await outbox.enqueue(notice)).toBe(true);
    expect(await outbox.enqueue(notice)).toBe(false);
    expect(await outbox.enqueue({ kind: 'booking-outage', text: 'Huduma: closed.', key: 'outage:NOPHONE' })).toBe(true);

    expect(await drain.drain()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(await drain.drain()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(sms.received.map((r) => Object.fromEntries(r.form))).toEqual([{ username: 'huduma', to: '+254722000001', message: notice.text }]);
    expect(await statusOf('outage:K7QM-4X3P')).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await statusOf('outage:NOPHONE')).toMatchObject({ status: 'no-phone', attempts: 0 });
  });

  it('tries again after a failure, and gives up after the last attempt with the reason (never the phone)', async () => {
    await outbox.enqueue({ kind: 'booking-outage', text: 'Huduma: moved.', phone: '+254722000002', key: 'outage:RETRY' });
    sms.failNext(1);
    expect(await drain.drain()).toEqual({ sent: 0, retrying: 1, failed: 0 });
    await dueNow();
    expect(await drain.drain()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(await statusOf('outage:RETRY')).toMatchObject({ status: 'sent', attempts: 2, last_error: null });

    await outbox.enqueue({ kind: 'booking-outage', text: 'Huduma: moved.', phone: '+254722000003', key: 'outage:GIVE-UP' });
    sms.failNext(NOTICE_RETRY.maxAttempts);
    for (let attempt = 1; attempt < NOTICE_RETRY.maxAttempts; attempt++) {
      expect(await drain.drain()).toEqual({ sent: 0, retrying: 1, failed: 0 });
      await dueNow();
    }
    expect(await drain.drain()).toEqual({ sent: 0, retrying: 0, failed: 1 });
    const given = await statusOf('outage:GIVE-UP');
    expect(given).toMatchObject({ status: 'failed', attempts: NOTICE_RETRY.maxAttempts, last_error: 'HTTP 500' });
    await dueNow();
    expect(await drain.drain()).toEqual({ sent: 0, retrying: 0, failed: 0 });
  });
});
