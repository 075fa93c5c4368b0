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
