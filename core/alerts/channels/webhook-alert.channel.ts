import { AlertChannel, noticeTitle, type AlertNotice } from '../alert-channel.port';

/**
 * Alerts as a JSON POST to a webhook (a chat room, an incident tool):
 * `{ title, state, rule, subject, detail, value, threshold, firedAt, at }`. Any 2xx is delivered.
 */
export class WebhookAlertChannel extends AlertChannel {
  readonly name = 'webhook';

  constructor(
    private readonly url: string,
    private readonly timeoutMs = 10_000,
  ) {
    super();
  }

  async send(notice: AlertNotice): Promise<void> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: noticeTitle(notice), ...notice, firedAt: notice.firedAt.toISOString(), at: notice.at.toISOString() }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`webhook answered HTTP ${response.status}`);
  }
}
