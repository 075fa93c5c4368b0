import { isAnchorValue, type AnchoredAuditEvent, type AuditLog, type ChainCtes } from '../../audit/audit-log';
import type { Queryable } from '../../db/pool';
import type { NewQueueEvent } from '../domain/queue-event';

/**
 * Appends a queue event and its audit-chain twin, in one statement, inside the caller's database
 * transaction (if any), so a change, the history KPIs are computed from, and the tamper-evident
 * log commit together.
 */
export async function recordQueueEvent(db: Queryable, audit: AuditLog, event: NewQueueEvent): Promise<void> {
  const { ctes, params } = queueEventCtes(audit, event, 1, 'anchor');
  await db.query(`WITH anchor AS (SELECT 1), ${ctes} SELECT 1`, params);
}

/**
 * The CTEs that insert a queue event and append its audit event *inside another statement*, after
 * the CTE named `anchor` (nothing is written when it yields no row); parameters numbered from
 * `firstParam`. A value of `event.data` may be `fromAnchor(sql)`, read from the anchor's row (the
 * number of a ticket the same statement numbers, say). The one home of a queue event's row and
 * of its audit event's shape, but for call-next's `called` event, which its statement writes inline
 * (its audit data has no `arrivedAt` or `priority`: moving it here would change those events' content).
 */
export function queueEventCtes(audit: AuditLog, event: NewQueueEvent, firstParam: number, anchor: string): ChainCtes {
  const params: unknown[] = [];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${firstParam + params.length - 1}`;
  };
  const known: Record<string, unknown> = {};
  const anchored: string[] = [];
  for (const [key, value] of Object.entries(event.data)) {
    if (isAnchorValue(value)) anchored.push(`${param(key)}::text, ${value.anchorSql}`);
    else known[key] = value;
  }
  const data = `${param(JSON.stringify(known))}::jsonb${anchored.length > 0 ? ` || jsonb_build_object(${anchored.join(', ')})` : ''}`;
  const insert =
    `queue_event AS (INSERT INTO queue_events (centre_code, local_day, type, ticket_id, session_id, counter_code, officer_id, service_code, occurred_at, actor, data) ` +
    `SELECT ${param(event.centreCode)}::text, ${param(event.localDay)}::date, ${param(event.type)}::text, ${param(event.ticketId ?? null)}::uuid, ` +
    `${param(event.sessionId ?? null)}::uuid, ${param(event.counterCode ?? null)}::text, ${param(event.officerId ?? null)}::text, ` +
    `${param(event.serviceCode ?? null)}::text, ${param(event.occurredAt)}::timestamptz, ${param(event.actor)}::text, ${data} FROM ${anchor} LIMIT 1)`;
  const chain = audit.chainCtes([auditEventOf(event)], firstParam + params.length, anchor);
  for (const value of chain.params) params.push(value);
  return { ctes: `${insert},\n${chain.ctes}`, params };
}

/** A queue event's audit-chain twin: the ticket's (or else the session's) history, with where it happened. */
function auditEventOf(event: NewQueueEvent): AnchoredAuditEvent {
  const ticketEvent = event.ticketId !== undefined;
  const data: Record<string, unknown> = { centre: event.centreCode };
  if (event.counterCode) data.counter = event.counterCode;
  if (event.serviceCode) data.service = event.serviceCode;
  for (const [key, value] of Object.entries(event.data)) data[key] = value;
  return {
    entityType: ticketEvent ? 'ticket' : 'counter-session',
    entityId: (ticketEvent ? event.ticketId : event.sessionId) ?? event.centreCode,
    type: event.type,
    actor: event.actor,
    data,
    occurredAt: event.occurredAt,
  };
}
