/**
 * Outgoing messages to citizens (SMS). Core code calls `Notifier.send` and never knows whether the
 * message went to an SMS provider or into the embedded outbox table.
 */
export const SMS_TEMPLATES = ['booking-confirmed', 'booking-rescheduled', 'booking-cancelled', 'booking-reminder', 'ops-alert', 'application-status', 'agency-outage', 'booking-reminder-hour', 'ticket-call-ahead', 'booking-maintenance'] as const;
export type SmsTemplate = (typeof SMS_TEMPLATES)[number];

export interface Notification {
  /** E.164 phone number. Personal data: never logged, sealed when stored. */
  to: string;
  template: SmsTemplate;
  /** Facts rendered into the message; must not contain personal data (it is stored readable). */
  data: Record<string, string>;
}

export interface NotificationReceipt {
  /** `recorded`: kept in the outbox only (embedded); `sent`: accepted by the provider. */
  status: 'recorded' | 'sent' | 'failed';
  providerRef?: string;
}

export abstract class Notifier {
  /** Never throws for a provider failure: the result says `failed` (a booking must not fail because an SMS did). */
  abstract send(notification: Notification): Promise<NotificationReceipt>;
}
