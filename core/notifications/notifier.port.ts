import { renderSms, type SmsTemplate } from './sms-templates';

export { SMS_TEMPLATES, type SmsTemplate } from './sms-templates';

/**
 * Outgoing messages to citizens (SMS): the ONE notifier port. Core code either sends a templated
 * message now (`send`, bookings) or writes a notice into the outbox (`citizen_notices`, see
 * notice-outbox.ts) that the worker delivers with retries; both leave through `deliver` of the
 * configured driver (Africa's Talking, or the embedded driver that only records).
 */
export interface Notification {
  /** E.164 phone number. Personal data: never logged, sealed when stored. */
  to: string;
  template: SmsTemplate;
  /** Facts rendered into the message; must not contain personal data (it is stored readable). */
  data: Record<string, string>;
}

/** One SMS as it leaves: what kind of message it is (a template, or an outbox notice's kind) and its text. */
export interface SmsMessage {
  /** E.164 phone number. Personal data: never logged, sealed when stored. */
  to: string;
  kind: string;
  /** Facts only, never personal data (it is stored readable). */
  text: string;
  /** The facts the text was rendered from, when there are any. */
  data?: Record<string, string>;
}

export interface NotificationReceipt {
  /** `recorded`: kept in the log only (embedded); `sent`: accepted by the provider. */
  status: 'recorded' | 'sent' | 'failed';
  providerRef?: string;
  /** Why it failed, without the phone number. */
  error?: string;
}

export abstract class Notifier {
  /** Renders a template and delivers it now. Never throws for a provider failure: the receipt says `failed`. */
  send(notification: Notification): Promise<NotificationReceipt> {
    const { to, template, data } = notification;
    return this.deliver({ to, kind: template, text: renderSms(template, data), data });
  }

  /** Hands one message to the driver. Never throws for a provider failure: the receipt says `failed`. */
  abstract deliver(message: SmsMessage): Promise<NotificationReceipt>;
}
