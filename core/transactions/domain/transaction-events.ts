import type { NewAuditEvent } from '../../audit/audit-event';

/** Kiungo's own actors in a transaction's history (people are their token subjects). */
export const SYSTEM_ACTORS = {
  /** Retries, the sweeper, timed-out answers. */
  worker: 'system:worker',
  /** The store-and-forward replay. */
  replay: 'system:replay',
  /** Answers read from agencies' inboxes. */
  fileDrop: 'system:file-drop',
  /** Conflicts Kiungo finds by itself (an agency reference given twice). */
  reconciliation: 'system:reconciliation',
} as const;

/** An event in a transaction's history. `data` names codes and references, never personal data. */
export function transactionEvent(transactionId: string, type: string, actor: string, occurredAt: Date, data: Record<string, unknown>): NewAuditEvent {
  return { entityType: 'transaction', entityId: transactionId, type, actor, data, occurredAt };
}

/**
 * When the request an event records was sent to the agency; undefined for an event that sent
 * nothing. Histories hold two forms. Since issue 13, a request and the outcome it met are one
 * change with one event, the outcome's, carrying `sentAt` (ISO 8601) beside `attempt` and `inline`
 * (or `replay`); a `dispatched` event is written only where the hand-over is itself the change (an
 * answer to come later), and it carries `sentAt` too. Before, every request sent had its own
 * `dispatched` event, at the moment it was sent and without `sentAt`, followed by its outcome's
 * event (without `sentAt`). Either way each request sent is one event for which this is defined.
 */
export function sentAtOf(event: { type: string; occurredAt: Date; data: Record<string, unknown> }): Date | undefined {
  if (typeof event.data.sentAt === 'string') return new Date(event.data.sentAt);
  return event.type === 'dispatched' ? event.occurredAt : undefined;
}
