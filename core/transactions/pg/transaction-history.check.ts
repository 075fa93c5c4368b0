import type { Pool } from 'pg';
import { inEntityOrder } from '../../audit/audit-event';
import type { AuditFinding, BusinessRowCheck } from '../../audit/audit-finding';
import { expectedFromHistory, type HistoryEvent } from '../domain/transaction-history';

const PAGE = 1000;
const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/**
 * Every transaction row against its events: the state the events reach through the lifecycle,
 * the agency reference they record, the service, agency, channel and centre of `received`; and
 * every transaction the events name has a row. Rows are read in id order, a page at a time, with
 * their events fetched by the entity index.
 */
export class TransactionHistoryCheck implements BusinessRowCheck {
  readonly name = 'transactions';

  constructor(private readonly pool: Pool) {}

  async run(report: (finding: AuditFinding) => void): Promise<{ rowsChecked: number }> {
    let rowsChecked = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const { rows } = await this.pool.query<Row>(
        `SELECT id, state, agency_ref, service_code, agency_code, channel, centre_code, channel_client FROM transactions WHERE id > $1 ORDER BY id LIMIT ${PAGE}`,
        [after],
      );
      if (rows.length === 0) break;
      const events = await this.pool.query<EventRow>(
        `SELECT entity_id, shard, seq, type, data, occurred_at FROM audit_events
          WHERE entity_type = 'transaction' AND entity_id = ANY($1::text[])`,
        [rows.map((row) => row.id)],
      );
      const byId = new Map<string, Array<HistoryEvent & { occurredAt: Date }>>();
      for (const event of events.rows) {
        const history = byId.get(event.entity_id) ?? byId.set(event.entity_id, []).get(event.entity_id)!;
        history.push({ shard: event.shard, seq: Number(event.seq), occurredAt: event.occurred_at, type: event.type, data: event.data });
      }
      for (const row of rows) checkRow(row, inEntityOrder(byId.get(row.id) ?? []), report);
      rowsChecked += rows.length;
      after = rows[rows.length - 1].id;
    }
    const orphans = await this.pool.query<{ entity_id: string; shard: number; seq: string }>(
      `SELECT DISTINCT ON (entity_id) entity_id, shard, seq FROM audit_events e
        WHERE entity_type = 'transaction'
          AND CASE WHEN entity_id ~ '${UUID}' THEN NOT EXISTS (SELECT 1 FROM transactions t WHERE t.id = e.entity_id::uuid) ELSE true END
        ORDER BY entity_id, occurred_at, shard, seq`,
    );
    for (const orphan of orphans.rows) {
      report({ reason: 'row_missing', entityType: 'transaction', entityId: orphan.entity_id, shard: orphan.shard, seq: Number(orphan.seq), detail: 'events of a transaction that has no row' });
    }
    return { rowsChecked };
  }
}

interface Row {
  id: string;
  state: string;
  agency_ref: string | null;
  service_code: string;
  agency_code: string;
  channel: string;
  centre_code: string | null;
  channel_client: string | null;
}

interface EventRow {
  entity_id: string;
  shard: number;
  seq: string;
  type: string;
  data: Record<string, unknown>;
  occurred_at: Date;
}

/** `events`: the transaction's, in the order they happened. */
function checkRow(row: Row, events: Array<HistoryEvent & { occurredAt: Date }>, report: (finding: AuditFinding) => void): void {
  const at = { entityType: 'transaction', entityId: row.id };
  if (events.length === 0) {
    report({ ...at, reason: 'events_missing', detail: `the row is ${row.state} but the transaction has no events` });
    return;
  }
  const last = { shard: events[events.length - 1].shard, seq: events[events.length - 1].seq };
  const expected = expectedFromHistory(events);
  for (const problem of expected.problems) report({ ...at, shard: problem.shard, seq: problem.seq, reason: problem.reason, detail: problem.detail });
  if (expected.state !== row.state) {
    report({ ...at, ...last, reason: 'state_mismatch', detail: `the row says ${row.state}, the events end in ${expected.state}` });
  }
  if (expected.agencyRef !== undefined && expected.agencyRef !== row.agency_ref) {
    report({ ...at, ...last, reason: 'agency_ref_mismatch', detail: `the row's agency reference is not the one its events record` });
  }
  const received = expected.received;
  if (received) {
    const differs = (
      [
        ['service', received.service, row.service_code],
        ['agency', received.agency, row.agency_code],
        ['channel', received.channel, row.channel],
        ['centre', received.centre ?? null, row.centre_code],
        // Events from before the channel client was recorded name none: undefined, not checked.
        ['client', received.client, row.channel_client],
      ] as const
    )
      .filter(([, recorded, stored]) => recorded !== undefined && recorded !== stored)
      .map(([field]) => field);
    if (differs.length > 0) report({ ...at, shard: events[0].shard, seq: events[0].seq, reason: 'received_mismatch', detail: `the row's ${differs.join(', ')} differ from its received event` });
  }
}
