import type { ClientBase } from 'pg';
import { chainHashHex, eventContentOf, genesisHash } from './audit-event';
import { canonicalJsonText } from './json-text';
import { isoFromTimestamptz, RAW_TEXT } from './pg/pg-text';

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
  /** Every broken link of every chain, in chain order (the first `keepBreaks` of each); empty when everything verifies. */
  breaks: ChainBreak[];
  /** How many broken links there are, kept or not. */
  breaksTotal: number;
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
  /** In chain order: the first `keep` (walkChains) of them. */
  breaks: ChainBreak[];
  /** Every break of the chain, kept or not. */
  breaksTotal: number;
}

/**
 * Events read per round of verify, a few MB in memory whatever the number of chains: dealt evenly
 * between the chains still being walked (at least one each). 16 chains × 1000 events, the round of
 * the 16 chains before 0132; with 256 chains a round reads 63 of each, and once the short chains
 * are done the long ones share the whole round again. A walk split between threads gives each
 * thread its share of it (chain-walk-workers.ts).
 */
export const VERIFY_ROUND_EVENTS = 16_000;

/**
 * Walks `shards`' chains from their genesis in `db`'s snapshot (the caller's REPEATABLE READ
 * transaction) and checks each against its head row read in the same snapshot.
 *
 * The chains are walked side by side, a round at a time: one statement reads the next events of
 * every chain. Events of all chains are appended at the same pace, so a round's events lie on
 * neighbouring pages of the table (two stretches of it while the chains 0132 added are shorter than
 * the 16 before them), each read once instead of once per chain; and the next round
 * is asked for as soon as one arrives, so PostgreSQL reads it while this thread hashes. Each chain's
 * events of a round come as ONE text (ROUND_LINES): no row, array or string per value for `pg` to
 * make, which was most of the walk's time beside hashing. See `ChainWalk.check` for what is taken
 * from PostgreSQL and what is computed here.
 */
export async function walkChains(db: ClientBase, shards: readonly number[], sealed?: SealedPositions, roundEvents = VERIFY_ROUND_EVENTS, keep = Infinity): Promise<ChainOutcome[]> {
  const walks = shards.map((shard) => new ChainWalk(shard, sealed?.get(shard), keep));
  // Each open chain's events of a round; a chain that returns fewer has reached its end.
  const perChain = (open: ChainWalk[]) => Math.max(1, Math.ceil(roundEvents / open.length));
  const round = (open: ChainWalk[]) =>
    db.query<RoundRow>({
      text: `SELECT c.i::integer, r.events, r.last, r.lines
               FROM unnest($1::integer[], $2::bigint[]) WITH ORDINALITY AS c(shard, after, i)
               CROSS JOIN LATERAL (SELECT count(*) AS events, max(e.seq) AS last, ${ROUND_LINES} AS lines
                                     FROM (SELECT seq, entity_type, entity_id, type, actor, data, occurred_at, prev_hash, hash,
                                                  ARRAY[actor, entity_id, entity_type, type]::text AS text_columns FROM audit_events
                                            WHERE shard = c.shard AND seq > c.after ORDER BY seq LIMIT $3::integer) e) r`,
      values: [open.map((walk) => walk.shard), open.map((walk) => walk.lastSeq), perChain(open)],
      rowMode: 'array',
      types: RAW_TEXT,
    });
  let open = walks;
  for (let pending: ReturnType<typeof round> | undefined = open.length ? round(open) : undefined; pending; ) {
    const { rows }: { rows: RoundRow[] } = await pending;
    const limit = perChain(open);
    // Each walk's events, in the order of `open` (c.i counts from 1).
    const linesOf: string[] = open.map(() => '');
    const next: ChainWalk[] = [];
    for (const [i, events, last, lines] of rows) {
      const walk = open[Number(i) - 1];
      linesOf[Number(i) - 1] = lines ?? '';
      if (Number(events) === limit) {
        walk.lastSeq = Number(last);
        next.push(walk);
      }
    }
    pending = next.length ? round(next) : undefined;
    // A failure of the round asked for ahead surfaces where it is awaited, not as an unhandled rejection.
    pending?.catch(() => undefined);
    linesOf.forEach((lines, i) => open[i].check(lines));
    open = next;
  }
  // A chain cut short at its end (events deleted from the tail) shows as a head that is ahead of its events.
  const { rows: headRows } = await db.query<{ shard: number; seq: string; hash: Buffer }>('SELECT shard, seq, hash FROM audit_chain_heads WHERE shard = ANY($1::integer[])', [shards]);
  const headOf = new Map(headRows.map((head) => [head.shard, head]));
  return walks.map((walk) => {
    const breaks = walk.finish(headOf.get(walk.shard));
    return { shard: walk.shard, seq: walk.lastSeq, hash: walk.prevHash, checked: walk.checked, breaks, breaksTotal: walk.breaksTotal };
  });
}

/**
 * A chain's events of one round as one text: a line per event, its fields separated by tabs: seq,
 * prev_hash and hash in hex, occurred_at as timestamptz text, the four text columns (actor,
 * entity_id, entity_type, type), and last the data as jsonb prints it, up to the line's end. None
 * holds a tab or a line break (jsonb and JSON escape every control character). The text columns
 * come as their text[] literal (`text_columns`, made in the subquery) when no element is quoted in
 * it: array_out quotes every element that is empty, spells NULL, or holds white space, a comma, a
 * brace, a quote or a backslash, so an unquoted literal splits at its commas (an unquoted NULL is
 * SQL's). Otherwise, rarely, they come as a JSON array (json_build_array), which JSON.parse reads:
 * no hand-written reader of array_out's quoting. A NULL (no column here can hold one) becomes
 * empty text or `null`, so that no line goes missing. The lines come in the order of the ordered
 * subquery, which string_agg keeps; an ORDER BY of its own would sort every round again, and
 * `check` puts a round in order if it ever comes otherwise.
 */
const ROUND_LINES = `string_agg(concat_ws(E'\\t', e.seq, coalesce(encode(e.prev_hash, 'hex'), ''), coalesce(encode(e.hash, 'hex'), ''),
  coalesce(e.occurred_at::text, ''),
  CASE WHEN strpos(e.text_columns, '"') = 0 THEN e.text_columns ELSE json_build_array(e.actor, e.entity_id, e.entity_type, e.type)::text END,
  coalesce(e.data::text, 'null')), E'\\n')`;

/** The report of walked chains, in the order given. */
export function chainReport(outcomes: readonly ChainOutcome[]): VerificationReport {
  const breaks = outcomes.flatMap((outcome) => outcome.breaks);
  const breaksTotal = outcomes.reduce((n, outcome) => n + outcome.breaksTotal, 0);
  return {
    ok: breaksTotal === 0,
    shards: outcomes.length,
    eventsChecked: outcomes.reduce((n, outcome) => n + outcome.checked, 0),
    breaks,
    breaksTotal,
    heads: outcomes.map((outcome) => ({ shard: outcome.shard, seq: outcome.seq, hash: Buffer.from(outcome.hash, 'hex') })),
  };
}

/** One chain's walk from its genesis: where it stands, and what did not hold. */
class ChainWalk {
  /** The hash the next event must name, in hex. */
  prevHash: string;
  lastSeq = 0;
  checked = 0;
  /** Every break found, kept or not. */
  breaksTotal = 0;
  private expectedSeq = 1;
  private readonly breaks: ChainBreak[] = [];
  private readonly seen = new Set<number>();
  /** The seals' hashes for this chain, in hex as the events' are compared. */
  private readonly sealed = new Map<number, Array<{ hash: string; sealNo: number }>>();

  constructor(
    readonly shard: number,
    sealed: Map<number, Array<{ hash: Uint8Array; sealNo: number }>> = new Map(),
    /**
     * Breaks kept (the first ones, in chain order); the rest are only counted. A log rewritten or
     * restored wrongly breaks at every event: kept, its breaks would outgrow the api's heap (issue 13).
     */
    private readonly keep = Infinity,
  ) {
    this.prevHash = genesisHash(shard).toString('hex');
    for (const [seq, seals] of sealed) this.sealed.set(seq, seals.map((seal) => ({ hash: Buffer.from(seal.hash).toString('hex'), sealNo: seal.sealNo })));
  }

  /**
   * Checks a round's events (ROUND_LINES). PostgreSQL only reads the stored values and writes them
   * as text; the event's content (eventContent) is laid out and hashed here, its data made canonical
   * here (canonicalJsonText), and every hash is compared here.
   */
  check(lines: string): void {
    const { prevHash, expectedSeq, lastSeq, checked, breaksTotal } = this;
    const broken = this.breaks.length;
    if (this.walk(lines, true)) return;
    // Not in chain order (string_agg keeps the order of its input, which is ordered but not promised
    // to stay so): walked again from where the round began, its lines sorted.
    Object.assign(this, { prevHash, expectedSeq, lastSeq, checked, breaksTotal });
    this.breaks.length = broken;
    this.walk(inChainOrder(lines, this.shard), false);
  }

  /** Walks a round's lines; with `ordered`, stops (false) at a line whose seq is not above the one before it. */
  private walk(lines: string, ordered: boolean): boolean {
    const { shard, sealed } = this;
    let before = -Infinity;
    for (let at = 0; at < lines.length; ) {
      const { seq, t1, t2, t3, t4, afterColumns, end } = readLine(lines, at, shard);
      if (ordered && !(seq > before)) return false;
      before = seq;
      const storedPrevHash = lines.slice(t1 + 1, t2);
      const storedHash = lines.slice(t2 + 1, t3);
      // A break names the entity (undefined for an SQL NULL, which no column here can hold).
      const entityId = textColumns.entityId ?? undefined;
      const entityType = textColumns.entityType ?? undefined;
      // The breaks are written out where they happen: nothing is allocated for a link that holds.
      if (seq !== this.expectedSeq) this.add({ shard, seq: this.expectedSeq, entityType, entityId, reason: 'sequence_gap' });
      if (storedPrevHash !== this.prevHash) this.add({ shard, seq, entityType, entityId, reason: 'prev_hash_mismatch' });
      // eventContent({ entityType, entityId, type, actor, data, occurredAt }) of the stored event, made from its text.
      const { actor, type } = textColumns;
      const data = canonicalJsonText(lines.slice(afterColumns + 1, end));
      const content = eventContentOf(actor, data, textColumns.entityId, textColumns.entityType, isoFromTimestamptz(lines.slice(t3 + 1, t4)), type);
      if (chainHashHex(storedPrevHash, seq, content) !== storedHash) this.add({ shard, seq, entityType, entityId, reason: 'hash_mismatch' });
      const seals = sealed.get(seq);
      if (seals) {
        for (const seal of seals) {
          if (seal.hash !== storedHash) this.add({ shard, seq, entityType, entityId, reason: 'sealed_hash_mismatch', sealNo: seal.sealNo });
        }
        this.seen.add(seq);
      }
      // Go on from what is stored, so the next link is judged on its own.
      this.prevHash = storedHash;
      this.expectedSeq = seq + 1;
      this.lastSeq = seq;
      this.checked += 1;
      at = end + 1;
    }
    return true;
  }

  /** The walk's breaks, in chain order, with the seals' positions it never reached and the head row checked. */
  finish(head: { seq: string; hash: Buffer } | undefined): ChainBreak[] {
    const { shard } = this;
    // Kept whatever the limit, sorted in, and the list cut after: one of these may come first.
    const breaks: ChainBreak[] = [];
    for (const [seq, seals] of this.sealed) {
      if (seq === 0 || this.seen.has(seq)) continue;
      for (const seal of seals) breaks.push({ shard, seq, reason: 'sealed_event_missing', sealNo: seal.sealNo });
    }
    if (!head || Number(head.seq) !== this.lastSeq || head.hash.toString('hex') !== this.prevHash) {
      breaks.push({ shard, seq: head ? Number(head.seq) : this.lastSeq + 1, reason: 'head_mismatch' });
    }
    this.breaksTotal += breaks.length;
    this.breaks.push(...breaks);
    this.breaks.sort((a, b) => a.seq - b.seq);
    if (this.breaks.length > this.keep) this.breaks.length = this.keep;
    return this.breaks;
  }

  private add(found: ChainBreak): void {
    this.breaksTotal += 1;
    if (this.breaks.length < this.keep) this.breaks.push(found);
  }
}

/** Where the fields of a line of ROUND_LINES are: the tabs after seq, prev_hash, hash and occurred_at; the text columns' end; the line's end. */
const line = { seq: 0, t1: 0, t2: 0, t3: 0, t4: 0, afterColumns: 0, end: 0 };

/** Reads the line of `lines` starting at `at` into `line` (one object, reused), and its text columns into `textColumns`. */
function readLine(lines: string, at: number, shard: number): typeof line {
  const t1 = lines.indexOf('\t', at);
  const t2 = lines.indexOf('\t', t1 + 1);
  const t3 = lines.indexOf('\t', t2 + 1);
  const t4 = lines.indexOf('\t', t3 + 1);
  if (t1 < 0 || t4 < 0) throw notAsWritten(shard);
  // The text columns end where their literal ends (a quoted element may hold a tab or a line break); the data, at the line's end.
  const afterColumns = textColumns.read(lines, t4 + 1);
  if (lines.charCodeAt(afterColumns) !== 0x09) throw notAsWritten(shard);
  line.seq = Number(lines.slice(at, t1));
  line.t1 = t1;
  line.t2 = t2;
  line.t3 = t3;
  line.t4 = t4;
  line.afterColumns = afterColumns;
  line.end = lineEnd(lines, afterColumns);
  return line;
}

/** The lines of a round put in chain order (by seq). */
function inChainOrder(lines: string, shard: number): string {
  const read: Array<{ seq: number; text: string }> = [];
  for (let at = 0; at < lines.length; ) {
    const { seq, end } = readLine(lines, at, shard);
    read.push({ seq, text: lines.slice(at, end) });
    at = end + 1;
  }
  return read.sort((a, b) => a.seq - b.seq).map((l) => l.text).join('\n');
}

/** Where the line starting at `at` ends (its line break, or the end of the text). */
function lineEnd(lines: string, at: number): number {
  const end = lines.indexOf('\n', at);
  return end < 0 ? lines.length : end;
}

function notAsWritten(shard: number): Error {
  return new Error(`verify: a line of chain ${shard} is not as the statement writes it`);
}

/**
 * Reads back the text columns as ROUND_LINES writes them: `{actor,entity_id,entity_type,type}`
 * with no element quoted, split at its commas, or `["actor", …]` parsed as JSON. Either ends at the
 * tab before the data. One reader, reused for every event.
 */
class TextColumns {
  actor: string | null = null;
  entityId: string | null = null;
  entityType: string | null = null;
  type: string | null = null;

  /** Reads the columns that start at `from`; returns where they end. */
  read(text: string, from: number): number {
    const end = text.indexOf('\t', from);
    if (end < 0) throw new Error(`verify: no text columns at ${from}`);
    if (text.charCodeAt(from) === 0x5b) return this.readJson(text.slice(from, end), from, end);
    const literal = text.slice(from, end);
    const c1 = literal.indexOf(',');
    const c2 = literal.indexOf(',', c1 + 1);
    const c3 = literal.indexOf(',', c2 + 1);
    const last = literal.length - 1;
    const fourUnquoted = literal.charCodeAt(0) === 0x7b && literal.charCodeAt(last) === 0x7d && c1 > 0 && c2 > c1 && c3 > c2 && literal.indexOf(',', c3 + 1) < 0;
    if (!fourUnquoted || literal.indexOf('"') >= 0) throw new Error(`verify: not an unquoted array literal of four texts at ${from}`);
    this.actor = unquoted(literal.slice(1, c1));
    this.entityId = unquoted(literal.slice(c1 + 1, c2));
    this.entityType = unquoted(literal.slice(c2 + 1, c3));
    this.type = unquoted(literal.slice(c3 + 1, last));
    return end;
  }

  private readJson(json: string, from: number, end: number): number {
    const values: unknown = JSON.parse(json);
    if (!Array.isArray(values) || values.length !== 4 || !values.every((value) => value === null || typeof value === 'string')) {
      throw new Error(`verify: not a JSON array of four texts at ${from}`);
    }
    [this.actor, this.entityId, this.entityType, this.type] = values as Array<string | null>;
    return end;
  }
}

const textColumns = new TextColumns();

/** An unquoted element; NULL is SQL's (a text that spells it is quoted). */
function unquoted(element: string): string | null {
  return element === 'NULL' ? null : element;
}

/**
 * A round's row, each column as PostgreSQL's text (RAW_TEXT): the walk's number in its round (from
 * 1), how many events it read, the last one's seq, and the events as ROUND_LINES (null when none).
 */
type RoundRow = [walk: string, events: string, last: string | null, lines: string | null];
