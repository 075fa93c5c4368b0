import { fitGsm7 } from '../follow-up/gsm7';

export const SMS_TEMPLATES = [
  'booking-confirmed',
  'booking-rescheduled',
  'booking-cancelled',
  'booking-reminder',
  'ops-alert',
  'application-status',
  'agency-outage',
  'booking-reminder-hour',
  'ticket-call-ahead',
  'booking-maintenance',
  'transaction-completed',
] as const;
export type SmsTemplate = (typeof SMS_TEMPLATES)[number];

/** One SMS segment is 160 GSM characters; the texts stay within it for typical names. */
const TEMPLATES: Record<SmsTemplate, (d: Record<string, string>) => string> = {
  'booking-confirmed': (d) => `Huduma: booking ${d.reference} confirmed for ${d.service} at ${d.centre}, ${d.when}. Bring your ID. To cancel dial *191*9#.`,
  'booking-rescheduled': (d) => `Huduma: booking ${d.reference} moved to ${d.when} at ${d.centre} (${d.service}).`,
  'booking-cancelled': (d) => `Huduma: booking ${d.reference} for ${d.service} at ${d.centre} on ${d.when} is cancelled.`,
  // Written whole by core/follow-up/status-text.ts (GSM-7, one segment), the same text as the USSD screen.
  'application-status': (d) => d.text,
  // The hall board's English line for the service (core/agencies/domain/service-notice.ts).
  'agency-outage': (d) => fitGsm7(`Huduma ${d.centre}: ${d.line}`, 160),
  'booking-reminder-hour': (d) => `Huduma: in an hour, ${d.service} at ${d.centre}, ${d.when}. Booking ${d.reference}. Bring your ID.`,
  'ticket-call-ahead': (d) => `Huduma ${d.centre}: ticket ${d.number} ${d.where}. Please come back to the hall now.`,
  'booking-maintenance': (d) =>
    fitGsm7(`Huduma: booking ${d.reference} (${d.when}) falls in ${d.agency} maintenance. Nearest free time ${d.nearest}; we will move it there. To change it dial *191*9#.`, 160),
  'booking-reminder': (d) => `Huduma reminder: ${d.service} at ${d.centre}, ${d.when}. Booking ${d.reference}. Arrive 10 min early with your ID.`,
  // To the operations room's on-call phones, not to citizens (core/alerts).
  'ops-alert': (d) => `Kiungo ${d.state}: ${d.rule} ${d.subject}. ${d.detail}`,
  // The acknowledgment printed at the counter promises this SMS (issue 10).
  'transaction-completed': (d) => `Huduma: your ${d.service} application${d.provisionalRef ? ` ${d.provisionalRef}` : ''} is now with the agency. Reference: ${d.agencyRef}.`,
};

export function renderSms(template: SmsTemplate, data: Record<string, string>): string {
  return TEMPLATES[template](data);
}
