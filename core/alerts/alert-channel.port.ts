import type { AlertRule } from './domain/alert-policy';

/** One message about an alert, the same for every channel. Codes and figures only, never personal data. */
export interface AlertNotice {
  state: 'firing' | 'resolved';
  rule: AlertRule;
  subject: string;
  detail: string;
  value: number;
  threshold: number;
  firedAt: Date;
  /** When it fired or resolved. */
  at: Date;
}

/** Where alert notices go (SMS, e-mail, a webhook). `send` rejects when the message did not go. */
export abstract class AlertChannel {
  abstract readonly name: string;
  abstract send(notice: AlertNotice): Promise<void>;
}

/** One line for a subject line or an SMS. */
export function noticeTitle(notice: AlertNotice): string {
  return `[Kiungo ${notice.state === 'firing' ? 'ALERT' : 'resolved'}] ${notice.rule} ${notice.subject}`;
}
