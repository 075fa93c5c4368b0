import { Notifier, type NotificationReceipt, type SmsMessage } from './notifier.port';
import type { NotificationLog } from './notification-log';

/** Embedded mode and tests: nothing leaves the machine; the message is recorded in `notifications`. */
export class OutboxNotifier extends Notifier {
  constructor(private readonly log: Pick<NotificationLog, 'record'>) {
    super();
  }

  async deliver(message: SmsMessage): Promise<NotificationReceipt> {
    const receipt: NotificationReceipt = { status: 'recorded' };
    await this.log.record(message, 'outbox', receipt);
    return receipt;
  }
}
