import type { Notifier } from '../../notifications/notifier.port';
import { AlertChannel, type AlertNotice } from '../alert-channel.port';

/** Alerts by SMS to the on-call phones, through the same Notifier port (and driver) as citizens' SMS. */
export class SmsAlertChannel extends AlertChannel {
  readonly name = 'sms';

  constructor(
    private readonly notifier: Notifier,
    private readonly phones: readonly string[],
  ) {
    super();
  }

  async send(notice: AlertNotice): Promise<void> {
    const data = { state: notice.state === 'firing' ? 'ALERT' : 'resolved', rule: notice.rule, subject: notice.subject, detail: notice.detail };
    const receipts = await Promise.all(this.phones.map((to) => this.notifier.send({ to, template: 'ops-alert', data })));
    const failed = receipts.filter((receipt) => receipt.status === 'failed').length;
    if (failed > 0) throw new Error(`${failed} of ${receipts.length} alert SMS failed`);
  }
}
