/**
 * The queue's history, one row per thing that happened (queue_events). Every KPI is computed
 * from these alone, so each event carries the times its figures need (arrivedAt, calledAt,
 * openedAt) and never personal data.
 */
export const QUEUE_EVENT_TYPES = [
  'issued',
  'called',
  'recalled',
  'transferred',
  'no_show',
  'completed',
  'feedback',
  'session_opened',
  'session_closed',
] as const;
export type QueueEventType = (typeof QUEUE_EVENT_TYPES)[number];

export interface NewQueueEvent {
  type: QueueEventType;
  centreCode: string;
  /** The local day the event counts for: the ticket's day of issue, or the session's day of opening. */
  localDay: string;
  ticketId?: string;
  sessionId?: string;
  counterCode?: string;
  officerId?: string;
  serviceCode?: string;
  occurredAt: Date;
  /** Token subject or `system:<component>`. */
  actor: string;
  data: Record<string, unknown>;
}
