import { createTransport, type Transporter } from 'nodemailer';
import { AlertChannel, noticeTitle, type AlertNotice } from '../alert-channel.port';

export interface EmailAlertOptions {
  /** smtp:// or smtps:// URL, credentials included (`smtp://user:pass@mail.example:587`). */
  smtpUrl: string;
  from: string;
  to: readonly string[];
  /** Per connection, greeting and socket step. Default 10 s. */
  timeoutMs?: number;
}

/** Alerts by e-mail over SMTP (nodemailer). */
export class EmailAlertChannel extends AlertChannel {
  readonly name = 'email';
  private readonly transport: Transporter;

  constructor(private readonly options: EmailAlertOptions) {
    super();
    const timeout = options.timeoutMs ?? 10_000;
    const url = new URL(options.smtpUrl);
    this.transport = createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
      secure: url.protocol === 'smtps:',
      ...(url.username && { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
  }

  async send(notice: AlertNotice): Promise<void> {
    await this.transport.sendMail({
      from: this.options.from,
      to: [...this.options.to],
      subject: noticeTitle(notice),
      text: [
        notice.detail,
        '',
        `rule: ${notice.rule}`,
        `subject: ${notice.subject}`,
        `value: ${notice.value} (threshold ${notice.threshold})`,
        `fired at: ${notice.firedAt.toISOString()}`,
        ...(notice.state === 'resolved' ? [`resolved at: ${notice.at.toISOString()}`] : []),
        '',
        'What it means and what to do: deploy/RUNBOOK.md, "Alerts".',
      ].join('\n'),
    });
  }

  close(): void {
    this.transport.close();
  }
}
