import type { NewAuditEvent } from '../audit/audit-event';

/** Which optional SMS a centre's citizens get (issue 14.5); both off until a manager turns them on. */
export interface NoticeChoices {
  /** A second reminder an hour before the booked slot (besides the day-before one). */
  hourBeforeReminder: boolean;
  /** An SMS when a ticket with a phone number is this many places from being called; null: none. */
  callAheadPlaces: number | null;
}

export const NO_NOTICE_CHOICES: NoticeChoices = Object.freeze({ hourBeforeReminder: false, callAheadPlaces: null });

export abstract class NoticeChoicesRepository {
  /** The centre's choices (the defaults when never set). */
  abstract find(centreCode: string): Promise<NoticeChoices>;

  /** Stores them with their audit event, in one database transaction. */
  abstract save(centreCode: string, choices: NoticeChoices, actor: string, event: NewAuditEvent): Promise<void>;
}
