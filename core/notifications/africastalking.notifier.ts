import { Notifier, type NotificationReceipt, type SmsMessage } from './notifier.port';
import type { NotificationLog } from './notification-log';

export interface AfricasTalkingSettings {
  /** e.g. https://api.africastalking.com/version1/messaging (sandbox: api.sandbox.africastalking.com). */
  url: string;
  username: string;
  /** Secret. */
  apiKey: string;
  /** Registered short code or alphanumeric sender id; the account default when absent. */
  senderId?: string;
  timeoutMs?: number;
}

interface AtResponse {
  SMSMessageData?: { Message?: string; Recipients?: Array<{ statusCode?: number; status?: string; messageId?: string }> };
}

/** Status codes Africa's Talking documents as accepted for delivery (100 Processed, 101 Sent, 102 Queued). */
const ACCEPTED = new Set([100, 101, 102]);

/**
 * Production SMS through an Africa's Talking-style bulk SMS endpoint (form-encoded POST, `apiKey`
 * header). Failures are recorded and returned, never thrown: an SMS is a courtesy, not part of
 * the booking's consistency.
 */
export class AfricasTalkingNotifier extends Notifier {
  constructor(
    private readonly settings: AfricasTalkingSettings,
    private readonly log: Pick<NotificationLog, 'record'>,
    private readonly fetchFn: typeof fetch = fetch,
  ) {
    super();
  }

  async deliver(message: SmsMessage): Promise<NotificationReceipt> {
    const receipt = await this.post(message.to, message.text);
    await this.log.record(message, 'africastalking', receipt);
    return receipt;
  }

  private async post(to: string, message: string): Promise<NotificationReceipt> {
    const form = new URLSearchParams({ username: this.settings.username, to, message });
    if (this.settings.senderId) form.set('from', this.settings.senderId);
    try {
      const response = await this.fetchFn(this.settings.url, {
        method: 'POST',
        headers: { apiKey: this.settings.apiKey, Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal: AbortSignal.timeout(this.settings.timeoutMs ?? 5000),
      });
      if (!response.ok) return { status: 'failed', error: `HTTP ${response.status}` };
      const parsed = (await response.json()) as AtResponse;
      const recipient = parsed.SMSMessageData?.Recipients?.[0];
      if (recipient?.statusCode !== undefined && ACCEPTED.has(recipient.statusCode)) {
        return { status: 'sent', providerRef: recipient.messageId };
      }
      // The provider's text may repeat the number; keep only the status words.
      return { status: 'failed', error: `provider status ${recipient?.statusCode ?? 'missing'} ${recipient?.status ?? ''}`.trim() };
    } catch (error) {
      return { status: 'failed', error: error instanceof Error ? error.name : 'error' };
    }
  }
}
