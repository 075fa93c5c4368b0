import { statementDigest, type SignedStatement, type Statement } from '../signing/signed-statement';

/**
 * A seal: a signed statement of every chain head at one moment, chained to the seal before it.
 * Whoever holds a seal can tell, without trusting the database, whether the events it covers are
 * still the ones that were sealed: rewriting any of them changes the hash of the head it names.
 */
export const SEAL_TYPE = 'kiungo.audit.seal.v1';

export interface SealedHead {
  shard: number;
  /** Position of the chain's last event (0: the chain was empty, `hash` is its public genesis). */
  seq: number;
  /** That event's hash, hex. */
  hash: string;
}

export interface SealStatement extends Statement {
  type: typeof SEAL_TYPE;
  /** 1, 2, 3…: one series per installation. */
  sealNo: number;
  sealedAt: string;
  /** `sealDigest` of seal `sealNo - 1`; null for the first. */
  previous: string | null;
  heads: SealedHead[];
}

export type Seal = SignedStatement<SealStatement>;

/** How a seal is named (the next seal's `previous`, file names, archives). */
export function sealDigest(seal: Seal): string {
  return statementDigest(seal.statement);
}

/** `seal-0000000042-<first 16 hex digits of its digest>.json`: sorts by number; two seals numbered alike never share a name. */
export function sealFileName(seal: Seal): string {
  return `seal-${String(seal.statement.sealNo).padStart(10, '0')}-${sealDigest(seal).slice(0, 16)}.json`;
}

/** A value read from a file or a row is a seal only if it has every field of one. */
export function asSeal(value: unknown): Seal | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { statement, keyId, signature } = value as Partial<Seal>;
  if (typeof keyId !== 'string' || typeof signature !== 'string' || typeof statement !== 'object' || statement === null) return undefined;
  const s = statement as Partial<SealStatement>;
  const headsOk =
    Array.isArray(s.heads) &&
    s.heads.every((h) => Number.isInteger(h?.shard) && Number.isInteger(h?.seq) && typeof h?.hash === 'string' && /^[0-9a-f]{64}$/.test(h.hash));
  if (s.type !== SEAL_TYPE || !Number.isInteger(s.sealNo) || typeof s.sealedAt !== 'string' || !headsOk) return undefined;
  if (s.previous !== null && (typeof s.previous !== 'string' || !/^[0-9a-f]{64}$/.test(s.previous))) return undefined;
  return { statement: statement as SealStatement, keyId, signature };
}
