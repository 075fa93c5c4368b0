import { createHash, hash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** Who did it: a token subject, or `system:<component>` for Kiungo's own work. Never a name or ID number. */
export type Actor = string;

export interface NewAuditEvent {
  entityType: string;
  entityId: string;
  /** What happened, e.g. `received`, `dispatched`, `completed`, `mode_changed`. */
  type: string;
  actor: Actor;
  /** Facts about the event. Never personal data: it is readable by every auditor. */
  data: Record<string, unknown>;
  occurredAt: Date;
}

export interface AuditEvent extends NewAuditEvent {
  shard: number;
  seq: number;
  prevHash: Buffer;
  hash: Buffer;
}

/**
 * The exact text that is hashed for an event; the same in the SQL append and in verification:
 * canonicalJson({ entityType, entityId, type, actor, data, occurredAt }), written out here with its
 * keys already in canonical (sorted) order instead of building and sorting that object for every
 * event verify reads.
 */
export function eventContent(event: NewAuditEvent): string {
  return eventContentOf(event.actor, event.data === undefined ? undefined : canonicalJson(event.data), event.entityId, event.entityType, event.occurredAt.toISOString(), event.type);
}

/**
 * `eventContent` from the data's canonical JSON and the time's ISO 8601 text, already written
 * (verify makes both straight from the text PostgreSQL sends: canonicalJsonText, isoFromTimestamptz).
 * A field that is undefined is left out, as canonicalJson leaves it out.
 */
export function eventContentOf(actor: unknown, dataJson: string | undefined, entityId: unknown, entityType: unknown, occurredAt: string, type: unknown): string {
  let out = '{';
  if (actor !== undefined) out += `"actor":${canonicalJson(actor)}`;
  if (dataJson !== undefined) out += `${out.length > 1 ? ',' : ''}"data":${dataJson}`;
  if (entityId !== undefined) out += `${out.length > 1 ? ',' : ''}"entityId":${canonicalJson(entityId)}`;
  if (entityType !== undefined) out += `${out.length > 1 ? ',' : ''}"entityType":${canonicalJson(entityType)}`;
  out += `${out.length > 1 ? ',' : ''}"occurredAt":${JSON.stringify(occurredAt)}`;
  if (type !== undefined) out += `,"type":${canonicalJson(type)}`;
  return `${out}}`;
}

/** Where the hashed bytes are laid out, reused from one event to the next (verify hashes millions). */
let scratch = Buffer.allocUnsafe(4096);

/**
 * sha256(prev_hash || int8(seq) || utf8(content)), as `audit_chain.sql` computes it with sha256() and int8send():
 * the bytes written into one reused buffer and hashed in one call, no Hash object per event.
 */
export function chainHash(prevHash: Buffer, seq: number, content: string): Buffer {
  return hash('sha256', laidOut(prevHash, seq, content), 'buffer') as unknown as Buffer;
}

/** `chainHash` with the previous hash and the result in lowercase hex, as verify reads and compares them. */
export function chainHashHex(prevHashHex: string, seq: number, content: string): string {
  return hash('sha256', laidOut(prevHashHex, seq, content), 'hex');
}

function laidOut(prevHash: Buffer | string, seq: number, content: string): Buffer {
  const prevLength = typeof prevHash === 'string' ? prevHash.length >>> 1 : prevHash.length;
  const room = prevLength + 8 + content.length * 3;
  if (scratch.length < room) scratch = Buffer.allocUnsafe(Math.max(room, scratch.length * 2));
  // Hex that is not (an odd length, a stray character) writes fewer bytes: those are what is hashed.
  const at = typeof prevHash === 'string' ? scratch.write(prevHash, 0, 'hex') : prevHash.copy(scratch, 0);
  if (Number.isSafeInteger(seq) && seq >= 0) {
    scratch.writeUInt32BE(Math.floor(seq / 2 ** 32), at);
    scratch.writeUInt32BE(seq >>> 0, at + 4);
  } else {
    scratch.writeBigInt64BE(BigInt(seq), at);
  }
  const written = scratch.write(content, at + 8, 'utf8');
  return scratch.subarray(0, at + 8 + written);
}

export function genesisHash(shard: number): Buffer {
  return createHash('sha256').update(`kiungo:audit:genesis:${shard}`, 'utf8').digest();
}

/**
 * The chain an entity's next event goes to, for `shardCount` chains. While the count stays, all of an
 * entity's events are on this one chain; once it grows (migration 0132), the events appended before
 * stay on the chain they were appended to: an entity's history is found by entity, not by this
 * (`inEntityOrder`).
 */
export function shardOf(entityId: string, shardCount: number): number {
  const digest = hash('sha256', entityId, 'buffer') as unknown as Buffer;
  return digest.readUInt32BE(0) % shardCount;
}

/**
 * One entity's events in the order they happened, whichever chains they are on: each chain's run
 * in chain order (seq: the order its appends committed in), the runs merged by time, a tie going to
 * the lower chain. An entity has more than one run only once the number of chains grew: its earlier
 * events on the old chain, its later ones on the new, interleaved while replicas started before the
 * change still append to the old one. On one chain this is plain chain order, as before.
 */
export function inEntityOrder<T extends { shard: number; seq: number; occurredAt: Date }>(events: readonly T[]): T[] {
  const runs = new Map<number, T[]>();
  for (const event of events) (runs.get(event.shard) ?? runs.set(event.shard, []).get(event.shard)!).push(event);
  for (const run of runs.values()) run.sort((a, b) => a.seq - b.seq);
  if (runs.size <= 1) return [...runs.values()].flat();
  const heads = [...runs.entries()].sort(([a], [b]) => a - b).map(([, run]) => ({ run, at: 0 }));
  const ordered: T[] = [];
  for (;;) {
    let next: (typeof heads)[number] | undefined;
    for (const head of heads) {
      if (head.at < head.run.length && (!next || head.run[head.at].occurredAt.getTime() < next.run[next.at].occurredAt.getTime())) next = head;
    }
    if (!next) return ordered;
    ordered.push(next.run[next.at++]);
  }
}

/** An event as it leaves Kiungo (API, exports, archives): chain and position, the hashes in hex, the time in ISO 8601. */
export interface PublicAuditEvent {
  chain: number;
  position: number;
  entityType: string;
  entityId: string;
  type: string;
  actor: string;
  at: string;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export function publicEvent(event: AuditEvent): PublicAuditEvent {
  return {
    chain: event.shard,
    position: event.seq,
    entityType: event.entityType,
    entityId: event.entityId,
    type: event.type,
    actor: event.actor,
    at: event.occurredAt.toISOString(),
    data: event.data,
    prevHash: event.prevHash.toString('hex'),
    hash: event.hash.toString('hex'),
  };
}
