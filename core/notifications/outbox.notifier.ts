import { Notifier, type Notification, type NotificationReceipt } from './notifier.port';
import type { NotificationLog } from './notification-log';
import { renderSms } from './sms-templates';

/** Embedded mode and tests: nothing leaves the machine; the message is recorded in `notifications`. */
export class OutboxNotifier extends Notifier {
  constructor(private readonly log: Pick<NotificationLog, 'record'>) {
    super();
  }

  async send(notification: Notification): Promise<NotificationReceipt> {
    const receipt: NotificationReceipt = { status: 'recorded' };
    await this.log.record(notification, renderSms(notification.template, notification.data), 'outbox', receipt);
    return receipt;
  }
}
