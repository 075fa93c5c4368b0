import type { SmsInbound } from '../../contracts/src/message.types';
import { kenyanMobile } from '../bookings/domain/booking';
import type { Notifier } from '../notifications/notifier.port';
import type { FollowApplication } from './follow-application';
import { followAnswerText } from './status-text';

/** `STATUS <reference>` (or Swahili `HALI <reference>`); a bare reference is taken too. */
const KEYWORD = /^(?:STATUS|HALI)\b\s*/i;

export type SmsOutcome = 'answered' | 'limited' | 'ignored';

/**
 * The SMS keyword of "Where is my application?": Africa's Talking posts each incoming message, and
 * the answer goes back as one SMS through the Notifier (outbox or Africa's Talking). Numbers that
 * are not Kenyan mobiles get nothing; a phone over its look-up limit gets nothing more either, so a
 * flood of messages costs at most one reply per allowed look-up.
 */
export class AnswerStatusSms {
  constructor(
    private readonly applications: FollowApplication,
    private readonly notifier: Notifier,
  ) {}

  /** `sms` is valid against sms-inbound.v1.json (checked at the edge). */
  async execute(sms: SmsInbound): Promise<SmsOutcome> {
    const phone = kenyanMobile(sms.from);
    if (!phone) return 'ignored';
    const answer = await this.applications.execute(sms.text.trim().replace(KEYWORD, ''), phone);
    if (answer.kind === 'limited') return 'limited';
    await this.notifier.send({ to: phone, template: 'application-status', data: { text: followAnswerText(answer) } });
    return 'answered';
  }
}
