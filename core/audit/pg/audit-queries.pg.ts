import type { Pool } from 'pg';
import {
  AuditQueries,
  type AuditEventFilter,
  type AuditEventRow,
  type AuditTransaction,
  type AuditTransactionFilter,
  type EventCursor,
  type ExportedEvent,
  type ExportPage,
  type TransactionCursor,
} from '../audit-queries';
import { toEvent, type AuditRow } from '../audit-log';
import { compactJsonText, JsonText } from '../json-text';
import { hexFromBytea, isoFromTimestamptz, RAW_TEXT } from './pg-text';

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
/** Microseconds since the epoch, exact both ways (a JS Date would drop the microseconds of the cursor). */
const MICROS = (column: string) => `(extract(epoch FROM ${column}) * 1000000)::bigint`;
const FROM_MICROS = (param: string) => `(timestamptz 'epoch' + ${param}::bigint * interval '1 microsecond')`;

class Where {
  readonly clauses: string[] = [];
  readonly values: unknown[] = [];

  add(clause: (param: string) => string, value: unknown): void {
    if (value === undefined) return;
    this.values.push(value);
    this.clauses.push(clause(`$${this.values.length}`));
  }

  param(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  get sql(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

export class PgAuditQueries extends AuditQueries {
  constructor(private readonly pool: Pool) {
    super();
  }

  async transactions(filter: AuditTransactionFilter, after: TransactionCursor | undefined, limit: number): Promise<AuditTransaction[]> {
    const where = new Where();
    where.add((p) => `agency_code = ${p}`, filter.agency);
    where.add((p) => `service_code = ${p}`, filter.service);
    where.add((p) => `centre_code = ${p}`, filter.centre);
    where.add((p) => `channel = ${p}`, filter.channel);
    where.add((p) => `officer_id = ${p}`, filter.officer);
    where.add((p) => `state = ${p}`, filter.state);
    where.add((p) => `citizen_id_hash = ${p}`, filter.citizenIdHash);
    where.add((p) => `created_at >= ${p}`, filter.from);
    where.add((p) => `created_at < ${p}`, filter.to);
    if (after) where.clauses.push(`(created_at, id) < (${FROM_MICROS(where.param(after.at.toString()))}, ${where.param(after.id)}::uuid)`);
    const { rows } = await this.pool.query<TransactionRow>(
      `SELECT id, service_code, agency_code, centre_code, channel, officer_id, submitted_by, channel_client, state, agency_ref, created_at, updated_at,
              ${MICROS('created_at')} AS at
         FROM transactions ${where.sql} ORDER BY created_at DESC, id DESC LIMIT ${where.param(limit)}`,
      where.values,
    );
    return rows.map((row) => ({
      id: row.id,
      service: row.service_code,
      agency: row.agency_code,
      centre: row.centre_code,
      channel: row.channel,
      officer: row.officer_id,
      submittedBy: row.submitted_by,
      channelClient: row.channel_client,
      state: row.state,
      agencyReference: row.agency_ref,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      cursor: { at: BigInt(row.at), id: row.id },
    }));
  }

  async events(filter: AuditEventFilter, after: EventCursor | undefined, limit: number): Promise<AuditEventRow[]> {
    const { rows } = await this.pool.query<EventRow>(eventsStatement(filter, after, limit));
    return rows.map((row) => {
      const event = toEvent(row);
      return Object.assign(event, { cursor: { at: BigInt(row.at), shard: event.shard, seq: event.seq } });
    });
  }

  /**
   * The same statement as `events`, its columns read as PostgreSQL's text (no Date, object or Buffer
   * per value, each only to be written back as text): every value as the export writes it.
   */
  async exportEvents(filter: AuditEventFilter, after: EventCursor | undefined, limit: number): Promise<ExportPage<ExportedEvent, EventCursor>> {
    const { rows } = await this.pool.query<ExportRow>({ ...eventsStatement(filter, after, limit), rowMode: 'array', types: RAW_TEXT });
    const last = rows[rows.length - 1];
    return { rows: exportedEvents(rows), count: rows.length, last: last ? { at: BigInt(last[10]), shard: Number(last[0]), seq: Number(last[1]) } : null };
  }

  async transactionAgency(id: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ agency_code: string }>('SELECT agency_code FROM transactions WHERE id = $1', [id]);
    return rows[0]?.agency_code ?? null;
  }
}

/** The events of `filter`, newest first, after `after`: the statement of GET /v1/audit/events and of the export. */
function eventsStatement(filter: AuditEventFilter, after: EventCursor | undefined, limit: number): { text: string; values: unknown[] } {
  const where = new Where();
  if (filter.entityType === undefined) where.clauses.push(`entity_type <> 'transaction'`);
  where.add((p) => `entity_type = ${p}`, filter.entityType);
  where.add((p) => `entity_id = ${p}`, filter.entityId);
  where.add((p) => `type = ${p}`, filter.type);
  where.add((p) => `actor = ${p}`, filter.actor);
  where.add((p) => `occurred_at >= ${p}`, filter.from);
  where.add((p) => `occurred_at < ${p}`, filter.to);
  if (filter.agency !== undefined) {
    const agency = where.param(filter.agency);
    where.clauses.push(`(e.entity_type = 'audit-seal'
      OR (e.entity_type = 'agency' AND e.entity_id = ${agency})
      OR (e.entity_type = 'transaction' AND EXISTS (SELECT 1 FROM transactions t
            WHERE t.id = CASE WHEN e.entity_id ~ '${UUID}' THEN e.entity_id::uuid END AND t.agency_code = ${agency})))`);
  }
  if (after) {
    where.clauses.push(`(occurred_at, shard, seq) < (${FROM_MICROS(where.param(after.at.toString()))}, ${where.param(after.shard)}::integer, ${where.param(after.seq)}::bigint)`);
  }
  return {
    text: `SELECT shard, seq, entity_type, entity_id, type, actor, data, occurred_at, prev_hash, hash, ${MICROS('occurred_at')} AS at
             FROM audit_events e ${where.sql} ORDER BY occurred_at DESC, shard DESC, seq DESC LIMIT ${where.param(limit)}`,
    values: where.values,
  };
}

/**
 * Each row made into the event the export writes only as it is read: a page's records then die young,
 * where records made for the page asked for ahead lived through a scavenge, and V8 promoted (and then
 * allocated straight into the old generation) all of them, so the RSS grew by 150 MiB before a full GC.
 */
function* exportedEvents(rows: ExportRow[]): Generator<ExportedEvent> {
  for (const [shard, seq, entityType, entityId, type, actor, data, occurredAt, prevHash, hash] of rows) {
    yield {
      chain: Number(shard),
      position: Number(seq),
      entityType,
      entityId,
      type,
      actor,
      at: isoFromTimestamptz(occurredAt),
      data: new JsonText(compactJsonText(data)),
      prevHash: hexFromBytea(prevHash),
      hash: hexFromBytea(hash),
    };
  }
}

/** An events row as PostgreSQL's text, in the statement's column order (RAW_TEXT). */
type ExportRow = [shard: string, seq: string, entityType: string, entityId: string, type: string, actor: string, data: string, occurredAt: string, prevHash: string, hash: string, at: string];

interface TransactionRow {
  id: string;
  service_code: string;
  agency_code: string;
  centre_code: string | null;
  channel: string;
  officer_id: string | null;
  submitted_by: string;
  channel_client: string | null;
  state: string;
  agency_ref: string | null;
  created_at: Date;
  updated_at: Date;
  at: string;
}

interface EventRow extends AuditRow {
  at: string;
}
