import type { PoolClient } from 'pg';
import type { AuditLog } from '../../audit/audit-log';
import type { NewQueueEvent } from '../domain/queue-event';

/**
 * Appends a queue event and its audit-chain twin inside the caller's database transaction, so a
 * change, the history KPIs are computed from, and the tamper-evident log commit together.
 */
export async function recordQueueEvent(db: PoolClient, audit: AuditLog, event: NewQueueEvent): Promise<void> {
  await db.query(
    `INSERT INTO queue_events (centre_code, local_day, type, ticket_id, session_id, counter_code, officer_id, service_code, occurred_at, actor, data)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)`,
    [
      event.centreCode,
      event.localDay,
      event.type,
      event.ticketId ?? null,
      event.sessionId ?? null,
      event.counterCode ?? null,
      event.officerId ?? null,
      event.serviceCode ?? null,
      event.occurredAt,
      event.actor,
      JSON.stringify(event.data),
    ],
  );
  const ticketEvent = event.ticketId !== undefined;
  await audit.append(db, {
    entityType: ticketEvent ? 'ticket' : 'counter-session',
    entityId: (ticketEvent ? event.ticketId : event.sessionId) ?? event.centreCode,
    type: event.type,
    actor: event.actor,
    data: {
      centre: event.centreCode,
      ...(event.counterCode ? { counter: event.counterCode } : {}),
      ...(event.serviceCode ? { service: event.serviceCode } : {}),
      ...event.data,
    },
    occurredAt: event.occurredAt,
  });
}
