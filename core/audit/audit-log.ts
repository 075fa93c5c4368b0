import { Pool } from 'pg';
import { withTransaction, type Queryable } from '../db/pool';
import { isStorableText, NOT_STORABLE_MESSAGE } from '../shared/storable-text';
import { eventContent, eventContentOf, inEntityOrder, shardOf, type AuditEvent, type NewAuditEvent } from './audit-event';
import { canonicalJson } from './canonical-json';
import { chainReport, walkChains, type SealedPositions, type VerificationReport } from './chain-walk';
import { walkChainsInWorkers, workerConnection } from './chain-walk-workers';

/**
 * SQL that appends events to their shard's chain *inside another statement*: a common table
 * expression inserting the events, their seq and hashes from `audit_chain_advance` (migrations
 * 0131, 0136), which moves the shard's head row in a small statement of its own, computes each hash in
 * PostgreSQL (sha256(prev_hash || int8send(seq) || utf8(content)), the same as `chainHash`) and
 * moves the head. It hangs off an `anchor` CTE: when the anchor yields no row (an insert that hit a
 * conflict, an update whose guard failed) nothing is appended. A state change and its events are
 * therefore one statement, one round trip, one commit.
 */
export interface ChainCtes {
  /** `name AS (...)` fragments to place after the anchor in a WITH list. */
  ctes: string;
  params: unknown[];
}

/**
 * A value of an event that only the appending statement knows: an SQL expression of type text or
 * boolean over the anchor CTE's row (the id of the ticket a call-next just picked, say). Its
 * content is still `eventContent`'s canonical JSON, the value put in by PostgreSQL's to_json.
 */
export interface AnchorValue {
  readonly anchorSql: string;
}

export function fromAnchor(sql: string): AnchorValue {
  return { anchorSql: sql };
}

/** An event to append in SQL: its entity id and any of its data's values may come from the anchor's row. */
export type AnchoredAuditEvent = Omit<NewAuditEvent, 'entityId' | 'data'> & {
  entityId: string | AnchorValue;
  data: Record<string, unknown>;
};

/**
 * Refuses an event whose text columns PostgreSQL would not keep as they are: pg sends an unpaired
 * surrogate as U+FFFD, while the content hashed in SQL holds the escape canonicalJson writes for it
 * (`\udXXX`), so the event would fail verification for ever (and a NUL fails the statement). The
 * data needs no check: its canonical JSON is the jsonb parameter, which PostgreSQL refuses whole.
 */
function storableColumns(event: AnchoredAuditEvent): void {
  for (const field of TEXT_COLUMNS) {
    const value = event[field];
    if (typeof value === 'string' && !isStorableText(value)) throw new Error(`audit event's ${field} ${NOT_STORABLE_MESSAGE}`);
  }
}

const TEXT_COLUMNS = ['entityType', 'entityId', 'type', 'actor'] as const;

export function isAnchorValue(value: unknown): value is AnchorValue {
  return typeof value === 'object' && value !== null && typeof (value as AnchorValue).anchorSql === 'string';
}

/** No value of the event comes from the anchor: its content is one parameter. */
function isPlain(event: AnchoredAuditEvent): boolean {
  if (typeof event.entityId !== 'string') return false;
  for (const key in event.data) if (isAnchorValue(event.data[key])) return false;
  return true;
}

/** Shapes of plain events whose chainCtes text is kept: far more than the appending statements make. */
export const MAX_PLAIN_SHAPES = 256;

export class AuditLog {
  /**
   * chainCtes's text for events without anchor values, by shape (anchor, first parameter, number of
   * events); at most MAX_PLAIN_SHAPES, the one kept longest dropped past it (made again if it comes back).
   */
  private readonly plainCtes = new Map<string, string>();

  constructor(private readonly shardCount: number) {}

  /**
   * Reads the number of chains (the head rows the migrations made: 16 by 0002, more by 0132). A
   * process appends with the count it read at boot until it restarts: every chain it may pick exists.
   */
  static async open(db: Queryable): Promise<AuditLog> {
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM audit_chain_heads');
    const shards = Number(rows[0].n);
    if (shards < 1) throw new Error('audit_chain_heads is empty: run the migrations');
    return new AuditLog(shards);
  }

  get shards(): number {
    return this.shardCount;
  }

  /** Appends one event on its own (inside the caller's database transaction, if any). */
  async append(db: Queryable, event: NewAuditEvent): Promise<void> {
    const chain = this.chainCtes([event], 1, 'anchor');
    await db.query(`WITH anchor AS (SELECT 1), ${chain.ctes} SELECT 1`, chain.params);
  }

  /**
   * The CTEs appending `events` (all of one entity: one shard) after the CTE named `anchor`;
   * their parameters are numbered from `firstParam`. Values given as `fromAnchor(sql)` are read
   * from the anchor's row, the shard too when the entity id is one of them.
   */
  chainCtes(events: readonly AnchoredAuditEvent[], firstParam: number, anchor: string): ChainCtes {
    const params: unknown[] = [];
    const ctes = this.appendCtes(events, anchor, params, firstParam - 1);
    return { ctes, params };
  }

  /**
   * chainCtes with its parameters pushed onto the statement's own `values` and numbered after them:
   * the same text and values, without a list of the events' parameters made and copied per statement (issue 13).
   */
  appendChainCtes(events: readonly AnchoredAuditEvent[], anchor: string, values: unknown[]): string {
    return this.appendCtes(events, anchor, values, values.length);
  }

  /** The CTEs, their parameters pushed onto `values` and numbered from `before` + 1 (`before`: the parameters ahead of them). */
  private appendCtes(events: readonly AnchoredAuditEvent[], anchor: string, values: unknown[], before: number): string {
    const firstParam = before + 1;
    if (events.length === 0) throw new Error('chainCtes needs at least one event');
    for (const event of events) storableColumns(event);
    if (!events.every(isPlain)) return this.composed(events, firstParam, anchor, values);
    // composeCtes checks this too, but a shape already made is never composed again.
    if (events.some((e) => e.entityId !== events[0].entityId)) throw new Error('chainCtes appends events of one entity only');
    // Every value known (a submit's events): the text depends only on the shape, so it is made once
    // per shape and the same string comes back (its hash cached, for the statement's name); the
    // parameters in composeCtes's order (its spec compares the two).
    const shape = `${anchor} ${firstParam} ${events.length}`;
    const ctes = this.plainCtes.get(shape);
    if (ctes === undefined) {
      const composed = this.composed(events, firstParam, anchor, values);
      if (this.plainCtes.size >= MAX_PLAIN_SHAPES) this.plainCtes.delete(this.plainCtes.keys().next().value as string);
      this.plainCtes.set(shape, composed);
      return composed;
    }
    this.pushPlainParams(events as readonly NewAuditEvent[], values);
    return ctes;
  }

  private composed(events: readonly AnchoredAuditEvent[], firstParam: number, anchor: string, values: unknown[]): string {
    const { ctes, params } = this.composeCtes(events, firstParam, anchor);
    for (const param of params) values.push(param);
    return ctes;
  }

  /**
   * chainCtes's parameters for events whose every value is known, in the order composeCtes numbers
   * them (the shard, the entity, each event's content, then each event's columns), pushed onto `values`.
   */
  private pushPlainParams(events: readonly NewAuditEvent[], values: unknown[]): void {
    const entityId = events[0].entityId;
    values.push(shardOf(entityId, this.shardCount), entityId);
    // Each event's data and time are written once, for its content and for their own columns: the
    // data's canonical JSON is the jsonb parameter too (jsonb keeps no key order or spacing, so for
    // plain JSON data, which is all any event carries, the stored value is the same as from
    // JSON.stringify), one serialisation per event instead of two (issue 13). The contents come
    // before every column: one event's columns are pushed straight after it, more events' are kept
    // until the contents are in.
    const single = events.length === 1;
    const columns: unknown[] | undefined = single ? undefined : [];
    let data: string | undefined;
    let occurredAt = '';
    for (const event of events) {
      data = event.data === undefined ? undefined : canonicalJson(event.data);
      occurredAt = event.occurredAt.toISOString();
      values.push(eventContentOf(event.actor, data, event.entityId, event.entityType, occurredAt, event.type));
      columns?.push(data, event.entityType, event.type, event.actor, occurredAt);
    }
    if (single) values.push(data, events[0].entityType, events[0].type, events[0].actor, occurredAt);
    else for (const column of columns!) values.push(column);
  }

  private composeCtes(events: readonly AnchoredAuditEvent[], firstParam: number, anchor: string): ChainCtes {
    const entityKey = (e: AnchoredAuditEvent): string => (isAnchorValue(e.entityId) ? `sql:${e.entityId.anchorSql}` : `id:${e.entityId}`);
    if (events.some((e) => entityKey(e) !== entityKey(events[0]))) throw new Error('chainCtes appends events of one entity only');
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${firstParam + params.length - 1}`;
    };
    // The anchor's values, each read once into a column of the source row s (v1, v2, …).
    const anchorColumns = new Map<string, string>();
    const column = (value: AnchorValue): string => {
      let name = anchorColumns.get(value.anchorSql);
      if (!name) anchorColumns.set(value.anchorSql, (name = `v${anchorColumns.size + 1}`));
      return `s.${name}`;
    };
    const entityId = events[0].entityId;
    const shard = isAnchorValue(entityId)
      ? `((('x' || left(encode(sha256(convert_to(${column(entityId)}, 'UTF8')), 'hex'), 8))::bit(32)::bigint % ${this.shardCount})::integer)`
      : `${param(shardOf(entityId, this.shardCount))}::integer`;
    const entitySql = isAnchorValue(entityId) ? column(entityId) : `${param(entityId)}::text`;
    const contents = events.map((event) => this.contentSql(event, param, column));
    // Per event, in plainParams's order: its data (unless the content holds it), type, actor, time.
    const columns = events.map((event, i) => {
      const data = contents[i].fromAnchor ? `(a.content::jsonb -> 'data')` : `${param(event.data === undefined ? undefined : canonicalJson(event.data))}::jsonb`;
      return {
        data,
        entityType: `${param(event.entityType)}::text`,
        type: `${param(event.type)}::text`,
        actor: `${param(event.actor)}::text`,
        occurredAt: `${param(event.occurredAt.toISOString())}::timestamptz`,
      };
    });
    // One event: its values as they are; more: each row picks its own by the function's ord.
    const pick = (key: keyof (typeof columns)[number]): string =>
      columns.length === 1 ? columns[0][key] : `CASE a.ord ${columns.map((c, i) => `WHEN ${i + 1} THEN ${c[key]}`).join(' ')} END`;
    // The shard always comes through the anchor's row s (selected there when it is a parameter), so
    // the function's call depends on s: PostgreSQL can only run it for a row the anchor yielded, whatever
    // join order it would otherwise pick. A call before an empty anchor would move the head with no event.
    const source = [...[...anchorColumns].map(([sql, name]) => `${sql} AS ${name}`), ...(isAnchorValue(entityId) ? [] : [`${shard} AS shard`])].join(', ');
    const shardOfRow = isAnchorValue(entityId) ? shard : 's.shard';
    // audit_chain_advance (migrations 0131, 0136) moves the head by an UPDATE of its own and hashes
    // the contents in order from the hash the head had: called once, for the anchor's one row, and
    // not at all when the anchor has none (then nothing is appended).
    const ctes =
      `audit_insert AS (INSERT INTO audit_events (shard, seq, entity_type, entity_id, type, actor, data, occurred_at, prev_hash, hash) ` +
      `SELECT a.shard, a.seq, ${pick('entityType')}, ${entitySql}, ${pick('type')}, ${pick('actor')}, ${pick('data')}, ${pick('occurredAt')}, a.prev_hash, a.hash ` +
      `FROM (SELECT ${source} FROM ${anchor} LIMIT 1) s ` +
      `CROSS JOIN LATERAL audit_chain_advance(${shardOfRow}, ARRAY[${contents.map((c) => c.sql).join(', ')}]) a)`;
    return { ctes, params };
  }

  /**
   * The event's content (`eventContent`) as SQL: one parameter when every value is known, else the
   * canonical JSON around the anchor's values, each written by to_json (JSON's escaping, as JSON.stringify).
   */
  private contentSql(
    event: AnchoredAuditEvent,
    param: (value: unknown) => string,
    column: (value: AnchorValue) => string,
  ): { sql: string; fromAnchor: boolean } {
    const holes: AnchorValue[] = [];
    // A stand-in no real value can hold (text in PostgreSQL never contains NUL), found again in the JSON.
    const hole = (value: AnchorValue): string => `\u0000anchor:${holes.push(value) - 1}\u0000`;
    const data = Object.fromEntries(Object.entries(event.data).map(([key, value]) => [key, isAnchorValue(value) ? hole(value) : value]));
    const entityId = isAnchorValue(event.entityId) ? hole(event.entityId) : event.entityId;
    const text = eventContent({ ...event, entityId, data });
    if (holes.length === 0) return { sql: `${param(text)}::text`, fromAnchor: false };
    // split() with a capturing group: text, hole number, text, …, text.
    const parts = text.split(/"\\u0000anchor:(\d+)\\u0000"/);
    if (parts.length !== 2 * holes.length + 1) throw new Error('an audit value holds the anchor stand-in');
    const pieces = parts.map((part, i) => (i % 2 === 0 ? `${param(part)}::text` : `to_json(${column(holes[Number(part)])})::text`));
    return { sql: `(${pieces.join(' || ')})`, fromAnchor: true };
  }

  /**
   * Every event of the entity, in the order they happened (`inEntityOrder`). Found by the entity
   * (index audit_events_entity), not by `shardOf`: since the number of chains grew (0132), an entity's
   * earlier events may be on another chain than its later ones. Read in no order: `inEntityOrder` is
   * the one that orders them (each chain's run by seq, the runs merged by time).
   */
  async history(db: Queryable, entityType: string, entityId: string): Promise<AuditEvent[]> {
    const { rows } = await db.query<AuditRow>(
      `SELECT shard, seq, entity_type, entity_id, type, actor, data, occurred_at, prev_hash, hash
         FROM audit_events WHERE entity_type = $1 AND entity_id = $2`,
      [entityType, entityId],
    );
    return inEntityOrder(rows.map(toEvent));
  }

  /**
   * Recomputes every chain from its genesis and reports every broken link, not only the first:
   * after a break the walk goes on from the stored event, so each edit, gap or insertion is named
   * where it is. Positions that seals vouch for are checked on the way (chain-walk.ts).
   *
   * The events and the chain heads are read in one snapshot (REPEATABLE READ, read only): an event
   * appended meanwhile moves its chain's head in the same statement, so it is wholly seen or not
   * at all, and a busy system never shows a head ahead of the events read. Given a client, the
   * caller's transaction is the snapshot and the walk runs on this thread. Given the pool, the
   * chains are split between `workers` threads (default 2), each over its own connection in the
   * snapshot this transaction exports (chain-walk-workers.ts): hashing is most of verify's time, and
   * one thread can only use one core. Same report either way.
   */
  async verify(db: Queryable, options: VerifyOptions = {}): Promise<VerificationReport> {
    if (!(db instanceof Pool)) return chainReport(await walkChains(db, options.shards ?? (await everyChain(db)), options.sealed, undefined, options.keepBreaks));
    const split = { workers: options.workers ?? DEFAULT_VERIFY_WORKERS, minEvents: options.minEventsForWorkers ?? MIN_EVENTS_FOR_WORKERS };
    // withTransaction: a connection lost mid-walk fails the verify, not the process, and is not pooled again.
    return withTransaction(
      db,
      async (client) => {
        await client.query('SET TRANSACTION READ ONLY');
        // Times printed in UTC take the short way from text to ISO 8601 (any other zone is still read right, slower).
        await client.query(`SET LOCAL TIME ZONE 'UTC'`);
        const shards = options.shards ?? (await everyChain(client));
        const connection = await workerConnection(db, client, shards, split);
        const outcomes = connection
          ? await walkChainsInWorkers(client, connection, shards, split.workers, options.sealed, options.keepBreaks)
          : await walkChains(client, shards, options.sealed, undefined, options.keepBreaks);
        return chainReport(outcomes);
      },
      { isolation: 'repeatable read', retries: 0 },
    );
  }
}

/**
 * Every chain there is, read in the verify's snapshot: not the count this process read at boot,
 * which is short of the chains 0132 added while a replica started before it runs.
 */
async function everyChain(db: Queryable): Promise<number[]> {
  const { rows } = await db.query<{ shard: number }>('SELECT shard FROM audit_chain_heads ORDER BY shard');
  return rows.map((row) => row.shard);
}

export interface VerifyOptions {
  /** The chains to walk (default: every chain in audit_chain_heads). */
  shards?: number[];
  sealed?: SealedPositions;
  /** Threads to walk the chains in when given the pool (default 2; 1: on the caller's thread). */
  workers?: number;
  /** Below this many events the chains are walked on the caller's thread (default 100,000). */
  minEventsForWorkers?: number;
  /** Breaks kept per chain (default all); `breaksTotal` counts them all. */
  keepBreaks?: number;
}

export const DEFAULT_VERIFY_WORKERS = 2;

/** About half a second of walking on one thread: under it, starting threads and connections costs more than it saves. */
const MIN_EVENTS_FOR_WORKERS = 100_000;

/** An `audit_events` row as `pg` returns it. */
export interface AuditRow {
  shard: number;
  seq: string;
  entity_type: string;
  entity_id: string;
  type: string;
  actor: string;
  data: Record<string, unknown>;
  occurred_at: Date;
  prev_hash: Buffer;
  hash: Buffer;
}

export function toEvent(row: AuditRow): AuditEvent {
  return {
    shard: row.shard,
    seq: Number(row.seq),
    entityType: row.entity_type,
    entityId: row.entity_id,
    type: row.type,
    actor: row.actor,
    data: row.data,
    occurredAt: row.occurred_at,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
