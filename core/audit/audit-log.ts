import { Pool } from 'pg';
import { withTransaction, type Queryable } from '../db/pool';
import { chainHashHex, eventContent, eventContentOf, genesisHash, shardOf, type AuditEvent, type NewAuditEvent } from './audit-event';
import { canonicalJsonText } from './json-text';
import { hexFromBytea, isoFromTimestamptz, RAW_TEXT } from './pg/pg-text';

/** Why a link of a chain does not hold. */
export type ChainBreakReason =
  /** The event's content does not hash to its stored hash: it was edited. */
  | 'hash_mismatch'
  /** The event does not name the hash of the event before it: one was edited, removed or inserted. */
  | 'prev_hash_mismatch'
  /** Positions are missing before this one: events were deleted. */
  | 'sequence_gap'
  /** The head row does not name the chain's last event: events were cut from the end, or the head moved. */
  | 'head_mismatch'
  /** A seal names an event at this position that is no longer there (deleted, or the chain truncated). */
  | 'sealed_event_missing'
  /** A seal names another hash for the event at this position: the chain was rewritten after it was sealed. */
  | 'sealed_hash_mismatch';

export interface ChainBreak {
  shard: number;
  seq: number;
  reason: ChainBreakReason;
  /** The event at that position, when there is one. */
  entityType?: string;
  entityId?: string;
  /** For the sealed_* reasons: the seal that convicts the rewrite. */
  sealNo?: number;
}

export interface VerificationReport {
  ok: boolean;
  shards: number;
  eventsChecked: number;
  /** Every broken link of every chain, in chain order; empty when everything verifies. */
  breaks: ChainBreak[];
  /** Each chain's last position (what a seal made now would name). */
  heads: Array<{ shard: number; seq: number; hash: Buffer }>;
}

/** Positions that seals vouch for: shard → seq → the sealed hash and the seals that name it. */
export type SealedPositions = Map<number, Map<number, Array<{ hash: Buffer; sealNo: number }>>>;

/**
 * SQL that appends events to their shard's chain *inside another statement*: common table
 * expressions that lock the shard's head row, compute each event's hash in PostgreSQL
 * (sha256(prev_hash || int8send(seq) || utf8(content)), the same as `chainHash`), insert the
 * events and advance the head. They hang off an `anchor` CTE: when the anchor yields no row (an
 * insert that hit a conflict, an update whose guard failed) nothing is appended. A state change
 * and its events are therefore one statement, one round trip, one commit.
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

function isAnchorValue(value: unknown): value is AnchorValue {
  return typeof value === 'object' && value !== null && typeof (value as AnchorValue).anchorSql === 'string';
}

export class AuditLog {
  constructor(private readonly shardCount: number) {}

  /** Reads the number of chains fixed by the migration. */
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
    if (events.length === 0) throw new Error('chainCtes needs at least one event');
    const entityKey = (e: AnchoredAuditEvent): string => (isAnchorValue(e.entityId) ? `sql:${e.entityId.anchorSql}` : `id:${e.entityId}`);
    if (events.some((e) => entityKey(e) !== entityKey(events[0]))) throw new Error('chainCtes appends events of one entity only');
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${firstParam + params.length - 1}`;
    };
    // The anchor's values, each read once into a column of audit_src (v1, v2, …).
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
    const source = anchorColumns.size === 0
      ? `(SELECT 1 FROM ${anchor} LIMIT 1) s`
      : `(SELECT ${[...anchorColumns].map(([sql, name]) => `${sql} AS ${name}`).join(', ')} FROM ${anchor} LIMIT 1) s`;
    const ctes = [
      `audit_prev AS (SELECT h.shard, h.seq, h.hash, ${entitySql} AS entity_id, ${contents.map((c, i) => `${c.sql} AS content_${i + 1}`).join(', ')} ` +
        `FROM audit_chain_heads h, ${source} WHERE h.shard = ${shard} FOR UPDATE OF h)`,
    ];
    const rows: string[] = [];
    events.forEach((event, i) => {
      const from = i === 0 ? 'audit_prev e' : `audit_e${i} e, audit_prev p`;
      const content = `${i === 0 ? 'e' : 'p'}.content_${i + 1}`;
      ctes.push(
        `audit_e${i + 1} AS (SELECT e.shard, e.seq + 1 AS seq, e.hash AS prev_hash, ` +
          `sha256(e.hash || int8send(e.seq + 1) || convert_to(${content}, 'UTF8')) AS hash, ${content} AS content, ${i === 0 ? 'e' : 'p'}.entity_id FROM ${from})`,
      );
      const data = contents[i].fromAnchor ? `(content::jsonb -> 'data')` : `${param(JSON.stringify(event.data))}::jsonb`;
      rows.push(
        `SELECT shard, seq, ${param(event.entityType)}::text, entity_id, ${param(event.type)}::text, ` +
          `${param(event.actor)}::text, ${data}, ${param(event.occurredAt.toISOString())}::timestamptz, ` +
          `prev_hash, hash FROM audit_e${i + 1}`,
      );
    });
    const last = `audit_e${events.length}`;
    ctes.push(
      `audit_insert AS (INSERT INTO audit_events (shard, seq, entity_type, entity_id, type, actor, data, occurred_at, prev_hash, hash) ${rows.join(' UNION ALL ')})`,
      `audit_head AS (UPDATE audit_chain_heads h SET seq = e.seq, hash = e.hash FROM ${last} e WHERE h.shard = e.shard)`,
    );
    return { ctes: ctes.join(',\n'), params };
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

  async history(db: Queryable, entityType: string, entityId: string): Promise<AuditEvent[]> {
    const shard = shardOf(entityId, this.shardCount);
    const { rows } = await db.query<AuditRow>(
      `SELECT shard, seq, entity_type, entity_id, type, actor, data, occurred_at, prev_hash, hash
         FROM audit_events WHERE shard = $1 AND entity_type = $2 AND entity_id = $3 ORDER BY seq`,
      [shard, entityType, entityId],
    );
    return rows.map(toEvent);
  }

  /**
   * Recomputes every chain from its genesis and reports every broken link, not only the first:
   * after a break the walk goes on from the stored event, so each edit, gap or insertion is named
   * where it is. Positions that seals vouch for are checked on the way.
   *
   * The chains are walked side by side, a round at a time: one statement reads the next events of
   * every chain. Events of all chains are appended at the same pace, so a round's events lie on
   * neighbouring pages of the table, each read once instead of once per chain; and the next round
   * is asked for as soon as one arrives, so PostgreSQL reads it while this process hashes. Rows come
   * as the text PostgreSQL writes (no Date, object or Buffer per value): the data's canonical JSON
   * and the time's ISO text are written straight from it, and hashes are compared as hex.
   *
   * The events and the chain heads are read in one snapshot (REPEATABLE READ, read only): an event
   * appended meanwhile moves its chain's head in the same statement, so it is wholly seen or not
   * at all, and a busy system never shows a head ahead of the events read. Given a client, the
   * caller's transaction is the snapshot.
   */
  async verify(db: Queryable, options: { shards?: number[]; sealed?: SealedPositions } = {}): Promise<VerificationReport> {
    if (!(db instanceof Pool)) return this.walk(db, options);
    // withTransaction: a connection lost mid-walk fails the verify, not the process, and is not pooled again.
    return withTransaction(
      db,
      async (client) => {
        await client.query('SET TRANSACTION READ ONLY');
        // Times printed in UTC take the short way from text to ISO 8601 (any other zone is still read right, slower).
        await client.query(`SET LOCAL TIME ZONE 'UTC'`);
        return this.walk(client, options);
      },
      { isolation: 'repeatable read', retries: 0 },
    );
  }

  private async walk(db: Queryable, options: { shards?: number[]; sealed?: SealedPositions }): Promise<VerificationReport> {
    const shards = options.shards ?? [...Array(this.shardCount).keys()];
    const walks = shards.map((shard) => new ChainWalk(shard, options.sealed?.get(shard)));
    const round = (open: ChainWalk[]) =>
      db.query<VerifyRow>({
        text: `SELECT c.i::integer, e.seq, e.entity_type, e.entity_id, e.type, e.actor, e.data, e.occurred_at, e.prev_hash, e.hash
                 FROM unnest($1::integer[], $2::bigint[]) WITH ORDINALITY AS c(shard, after, i)
                 CROSS JOIN LATERAL (SELECT seq, entity_type, entity_id, type, actor, data, occurred_at, prev_hash, hash FROM audit_events
                                      WHERE shard = c.shard AND seq > c.after ORDER BY seq LIMIT ${VERIFY_ROUND}) e`,
        values: [open.map((walk) => walk.shard), open.map((walk) => walk.lastSeq)],
        rowMode: 'array',
        types: RAW_TEXT,
      });
    let open = walks;
    for (let pending: ReturnType<typeof round> | undefined = open.length ? round(open) : undefined; pending; ) {
      const { rows }: { rows: VerifyRow[] } = await pending;
      // Each walk's rows, in the order of `open` (c.i counts from 1), put in chain order if they came otherwise.
      const byWalk: VerifyRow[][] = open.map(() => []);
      for (const row of rows) byWalk[Number(row[0]) - 1].push(row);
      const next: ChainWalk[] = [];
      byWalk.forEach((walkRows, i) => {
        if (walkRows.some((row, j) => j > 0 && Number(row[1]) < Number(walkRows[j - 1][1]))) walkRows.sort((a, b) => Number(a[1]) - Number(b[1]));
        if (walkRows.length === VERIFY_ROUND) {
          open[i].lastSeq = Number(walkRows[walkRows.length - 1][1]);
          next.push(open[i]);
        }
      });
      pending = next.length ? round(next) : undefined;
      // A failure of the round asked for ahead surfaces where it is awaited, not as an unhandled rejection.
      pending?.catch(() => undefined);
      byWalk.forEach((walkRows, i) => open[i].check(walkRows));
      open = next;
    }
    // A chain cut short at its end (events deleted from the tail) shows as a head that is ahead of its events.
    const { rows: headRows } = await db.query<{ shard: number; seq: string; hash: Buffer }>('SELECT shard, seq, hash FROM audit_chain_heads WHERE shard = ANY($1::integer[])', [shards]);
    const headOf = new Map(headRows.map((head) => [head.shard, head]));
    const breaks: ChainBreak[] = [];
    const heads: VerificationReport['heads'] = [];
    let eventsChecked = 0;
    for (const walk of walks) {
      breaks.push(...walk.finish(headOf.get(walk.shard)));
      eventsChecked += walk.checked;
      heads.push({ shard: walk.shard, seq: walk.lastSeq, hash: Buffer.from(walk.prevHash, 'hex') });
    }
    return { ok: breaks.length === 0, shards: shards.length, eventsChecked, breaks, heads };
  }
}

/** Events per chain per round of verify: 16 chains × 1000 rows, a few MB in memory per round. */
const VERIFY_ROUND = 1000;

/** One chain's walk from its genesis: where it stands, and what did not hold. */
class ChainWalk {
  /** The hash the next event must name, in hex. */
  prevHash: string;
  lastSeq = 0;
  checked = 0;
  private expectedSeq = 1;
  private readonly breaks: ChainBreak[] = [];
  private readonly seen = new Set<number>();
  /** The seals' hashes for this chain, in hex as the events' are compared. */
  private readonly sealed = new Map<number, Array<{ hash: string; sealNo: number }>>();

  constructor(
    readonly shard: number,
    sealed: Map<number, Array<{ hash: Buffer; sealNo: number }>> = new Map(),
  ) {
    this.prevHash = genesisHash(shard).toString('hex');
    for (const [seq, seals] of sealed) this.sealed.set(seq, seals.map((seal) => ({ hash: seal.hash.toString('hex'), sealNo: seal.sealNo })));
  }

  check(rows: VerifyRow[]): void {
    const { shard, breaks, sealed } = this;
    for (const [, seqText, entityType, entityId, type, actor, data, occurredAt, prevHashText, hashText] of rows) {
      const seq = Number(seqText);
      const storedPrevHash = hexFromBytea(prevHashText);
      const storedHash = hexFromBytea(hashText);
      // The breaks are written out where they happen: nothing is allocated for a link that holds.
      if (seq !== this.expectedSeq) breaks.push({ shard, seq: this.expectedSeq, entityType, entityId, reason: 'sequence_gap' });
      if (storedPrevHash !== this.prevHash) breaks.push({ shard, seq, entityType, entityId, reason: 'prev_hash_mismatch' });
      // eventContent({ entityType, entityId, type, actor, data, occurredAt }) of the parsed row, made from its text.
      const content = eventContentOf(actor, data === null ? 'null' : canonicalJsonText(data), entityId, entityType, isoFromTimestamptz(occurredAt), type);
      if (chainHashHex(storedPrevHash, seq, content) !== storedHash) breaks.push({ shard, seq, entityType, entityId, reason: 'hash_mismatch' });
      const seals = sealed.get(seq);
      if (seals) {
        for (const seal of seals) {
          if (seal.hash !== storedHash) breaks.push({ shard, seq, entityType, entityId, reason: 'sealed_hash_mismatch', sealNo: seal.sealNo });
        }
        this.seen.add(seq);
      }
      // Go on from what is stored, so the next link is judged on its own.
      this.prevHash = storedHash;
      this.expectedSeq = seq + 1;
      this.lastSeq = seq;
      this.checked += 1;
    }
  }

  /** The walk's breaks, in chain order, with the seals' positions it never reached and the head row checked. */
  finish(head: { seq: string; hash: Buffer } | undefined): ChainBreak[] {
    const { shard, breaks } = this;
    for (const [seq, seals] of this.sealed) {
      if (seq === 0 || this.seen.has(seq)) continue;
      for (const seal of seals) breaks.push({ shard, seq, reason: 'sealed_event_missing', sealNo: seal.sealNo });
    }
    if (!head || Number(head.seq) !== this.lastSeq || head.hash.toString('hex') !== this.prevHash) {
      breaks.push({ shard, seq: head ? Number(head.seq) : this.lastSeq + 1, reason: 'head_mismatch' });
    }
    return breaks.sort((a, b) => a.seq - b.seq);
  }
}

/**
 * The columns verify reads, in order, each as PostgreSQL's text (RAW_TEXT): the walk's number in its
 * round (from 1), then the event; `data` (jsonb) is null only for an SQL NULL.
 */
type VerifyRow = [walk: string, seq: string, entityType: string, entityId: string, type: string, actor: string, data: string | null, occurredAt: string, prevHash: string, hash: string];

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
