import type { ClientBase } from 'pg';
import { chainHashHex, eventContentOf, genesisHash } from './audit-event';
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

/**
 * Positions that seals vouch for: shard → seq → the sealed hash and the seals that name it. A hash
 * may arrive as a plain Uint8Array (a Buffer that crossed to a worker thread).
 */
export type SealedPositions = Map<number, Map<number, Array<{ hash: Uint8Array; sealNo: number }>>>;

/** One chain walked to its end and checked against its head row: what a worker thread sends back. */
export interface ChainOutcome {
  shard: number;
  /** Its last position and that event's hash (hex). */
  seq: number;
  hash: string;
  checked: number;
  /** In chain order. */
  breaks: ChainBreak[];
}

/** Events per chain per round of verify: 16 chains × 1000 rows, a few MB in memory per round. */
const VERIFY_ROUND = 1000;

/**
 * Walks `shards`' chains from their genesis in `db`'s snapshot (the caller's REPEATABLE READ
 * transaction) and checks each against its head row read in the same snapshot.
 *
 * The chains are walked side by side, a round at a time: one statement reads the next events of
 * every chain. Events of all chains are appended at the same pace, so a round's events lie on
 * neighbouring pages of the table, each read once instead of once per chain; and the next round
 * is asked for as soon as one arrives, so PostgreSQL reads it while this thread hashes. Rows come
 * as the text PostgreSQL writes (no Date, object or Buffer per value): the data's canonical JSON
 * and the time's ISO text are written straight from it, and hashes are compared as hex.
 */
export async function walkChains(db: ClientBase, shards: readonly number[], sealed?: SealedPositions): Promise<ChainOutcome[]> {
  const walks = shards.map((shard) => new ChainWalk(shard, sealed?.get(shard)));
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
  return walks.map((walk) => {
    const breaks = walk.finish(headOf.get(walk.shard));
    return { shard: walk.shard, seq: walk.lastSeq, hash: walk.prevHash, checked: walk.checked, breaks };
  });
}

/** The report of walked chains, in the order given. */
export function chainReport(outcomes: readonly ChainOutcome[]): VerificationReport {
  const breaks = outcomes.flatMap((outcome) => outcome.breaks);
  return {
    ok: breaks.length === 0,
    shards: outcomes.length,
    eventsChecked: outcomes.reduce((n, outcome) => n + outcome.checked, 0),
    breaks,
    heads: outcomes.map((outcome) => ({ shard: outcome.shard, seq: outcome.seq, hash: Buffer.from(outcome.hash, 'hex') })),
  };
}

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
    sealed: Map<number, Array<{ hash: Uint8Array; sealNo: number }>> = new Map(),
  ) {
    this.prevHash = genesisHash(shard).toString('hex');
    for (const [seq, seals] of sealed) this.sealed.set(seq, seals.map((seal) => ({ hash: Buffer.from(seal.hash).toString('hex'), sealNo: seal.sealNo })));
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
