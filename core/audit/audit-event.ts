import { createHash } from 'node:crypto';
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

/** The exact text that is hashed for an event; the same in the SQL append and in verification. */
export function eventContent(event: NewAuditEvent): string {
  return canonicalJson({
    entityType: event.entityType,
    entityId: event.entityId,
    type: event.type,
    actor: event.actor,
    data: event.data,
    occurredAt: event.occurredAt.toISOString(),
  });
}

/** sha256(prev_hash || int8(seq) || utf8(content)), as `audit_chain.sql` computes it with sha256() and int8send(). */
export function chainHash(prevHash: Buffer, seq: number, content: string): Buffer {
  const seqBytes = Buffer.alloc(8);
  seqBytes.writeBigInt64BE(BigInt(seq));
  return createHash('sha256').update(prevHash).update(seqBytes).update(content, 'utf8').digest();
}

export function genesisHash(shard: number): Buffer {
  return createHash('sha256').update(`kiungo:audit:genesis:${shard}`, 'utf8').digest();
}

/** Events of one entity always land on the same shard, so its history is one ordered run of one chain. */
export function shardOf(entityId: string, shardCount: number): number {
  const digest = createHash('sha256').update(entityId, 'utf8').digest();
  return digest.readUInt32BE(0) % shardCount;
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
