import type { Pool, PoolClient } from 'pg';
import { chainHash, eventContent, genesisHash, shardOf, type AuditEvent, type NewAuditEvent } from './audit-event';

type Queryable = Pick<PoolClient, 'query'>;

export interface ChainBreak {
  shard: number;
  seq: number;
  reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'sequence_gap' | 'head_mismatch';
}

export interface VerificationReport {
  ok: boolean;
  shards: number;
  eventsChecked: number;
  /** The first broken link of each broken chain; empty when everything verifies. */
  breaks: ChainBreak[];
}

/**
 * Appends one event to its shard's chain in ONE statement: the head row is locked, advanced and
 * the event inserted with its hash computed by PostgreSQL, inside the caller's database
 * transaction — so a state change and its event commit or roll back together.
 */
const APPEND_SQL = `
WITH prev AS (
  SELECT shard, seq, hash FROM audit_chain_heads WHERE shard = $1 FOR UPDATE
), head AS (
  UPDATE audit_chain_heads h
     SET seq = prev.seq + 1,
         hash = sha256(prev.hash || int8send(prev.seq + 1) || convert_to($2::text, 'UTF8'))
    FROM prev
   WHERE h.shard = prev.shard
  RETURNING h.seq, h.hash, prev.hash AS prev_hash
)
INSERT INTO audit_events (shard, seq, entity_type, entity_id, type, actor, data, occurred_at, prev_hash, hash)
SELECT $1, head.seq, $3, $4, $5, $6, $7::jsonb, $8::timestamptz, head.prev_hash, head.hash FROM head
RETURNING seq`;

const PAGE = 5000;

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

  async append(db: Queryable, event: NewAuditEvent): Promise<void> {
    const shard = shardOf(event.entityId, this.shardCount);
    await db.query(APPEND_SQL, [
      shard,
      eventContent(event),
      event.entityType,
      event.entityId,
      event.type,
      event.actor,
      JSON.stringify(event.data),
      event.occurredAt.toISOString(),
    ]);
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

  /** Recomputes every chain from its genesis and reports the first broken link of each. */
  async verify(pool: Pool, options: { shards?: number[] } = {}): Promise<VerificationReport> {
    const shards = options.shards ?? [...Array(this.shardCount).keys()];
    const breaks: ChainBreak[] = [];
    let eventsChecked = 0;
    for (const shard of shards) {
      const result = await this.verifyShard(pool, shard);
      eventsChecked += result.checked;
      if (result.break) breaks.push(result.break);
    }
    return { ok: breaks.length === 0, shards: shards.length, eventsChecked, breaks };
  }

  private async verifyShard(pool: Pool, shard: number): Promise<{ checked: number; break?: ChainBreak }> {
    let prevHash = genesisHash(shard);
    let expectedSeq = 1;
    let checked = 0;
    for (;;) {
      const { rows } = await pool.query<AuditRow>(
        `SELECT shard, seq, entity_type, entity_id, type, actor, data, occurred_at, prev_hash, hash
           FROM audit_events WHERE shard = $1 AND seq >= $2 ORDER BY seq LIMIT ${PAGE}`,
        [shard, expectedSeq],
      );
      for (const row of rows) {
        const event = toEvent(row);
        if (event.seq !== expectedSeq) return { checked, break: { shard, seq: expectedSeq, reason: 'sequence_gap' } };
        if (!event.prevHash.equals(prevHash)) return { checked, break: { shard, seq: event.seq, reason: 'prev_hash_mismatch' } };
        const hash = chainHash(prevHash, event.seq, eventContent(event));
        if (!hash.equals(event.hash)) return { checked, break: { shard, seq: event.seq, reason: 'hash_mismatch' } };
        prevHash = hash;
        expectedSeq += 1;
        checked += 1;
      }
      if (rows.length < PAGE) break;
    }
    // A chain cut short at its end (events deleted from the tail) shows as a head that is ahead of its events.
    const head = await pool.query<{ seq: string; hash: Buffer }>('SELECT seq, hash FROM audit_chain_heads WHERE shard = $1', [shard]);
    const headRow = head.rows[0];
    if (!headRow || Number(headRow.seq) !== expectedSeq - 1 || !headRow.hash.equals(prevHash)) {
      return { checked, break: { shard, seq: expectedSeq, reason: 'head_mismatch' } };
    }
    return { checked };
  }
}

interface AuditRow {
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

function toEvent(row: AuditRow): AuditEvent {
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
