import type { Pool } from 'pg';
import type { PublishedKey, TrustedKeys } from '../signing/signed-statement';
import type { AuditFinding, BusinessRowCheck } from './audit-finding';
import type { AuditLog } from './audit-log';
import type { SealedPositions } from './chain-walk';
import { sealDigest, type Seal } from './seal';
import type { SealStore } from './seal-store';

export interface OutsideSeals {
  /** Where they came from (a folder), for the report. */
  source: string;
  seals: Seal[];
  /** Files there that are not seals. */
  unreadable: string[];
  /** Public keys the auditor holds beside them (trusted in addition to the published ones). */
  keys?: PublishedKey[];
}

export interface AuditVerification {
  ok: boolean;
  /** Every finding (chain links, seals, business rows), or the first `maxFindings` of them. */
  findings: AuditFinding[];
  /** How many findings there are, listed or not. */
  findingsTotal: number;
  shards: number;
  eventsChecked: number;
  seals: { checked: number; outside: number; last: { sealNo: number; sealedAt: string } | null };
  /** Events after the last valid seal: what only the chains and the business-row checks vouch for. */
  unsealedEvents: number;
  rowsChecked: Record<string, number>;
}

/**
 * `verify`: the chains, the seals (those in the database and any held outside it), and the
 * business rows against their events. Each layer catches what the one before cannot:
 * - a chain catches an edit that was not followed by recomputing every later hash;
 * - a seal catches a recomputed chain, a truncated one or a cut tail, up to the last seal, as long
 *   as the seal itself is trusted: its signature needs a key the database does not hold, and a
 *   seal kept outside the database convicts a rewrite of the seal table too;
 * - the business rows catch, after the last seal, events removed or forged without the rows that
 *   the events describe being changed to match (and any edit of those rows).
 */
export class AuditVerifier {
  constructor(
    private readonly pool: Pool,
    private readonly audit: AuditLog,
    private readonly store: SealStore,
    /** The keys seals may be signed with, read afresh for each verification (a rotation needs no restart). */
    private readonly trustedKeys: () => TrustedKeys,
    private readonly checks: readonly BusinessRowCheck[],
    /** Threads the chains are walked in (AuditLog.verify's default when absent). */
    private readonly workers?: number,
  ) {}

  /**
   * `maxFindings`: list only the first ones (the rest are counted), so that memory does not grow with
   * the findings: a log rewritten wholesale has one at every event, millions, and the api lists 1000.
   */
  async verify(outside?: OutsideSeals, { maxFindings = Infinity }: { maxFindings?: number } = {}): Promise<AuditVerification> {
    const findings: AuditFinding[] = [];
    let findingsTotal = 0;
    const report = (finding: AuditFinding): void => {
      findingsTotal += 1;
      if (findings.length < maxFindings) findings.push(finding);
    };

    const stored = await this.store.all(this.pool);
    const trusted = this.trustedKeys();
    for (const key of outside?.keys ?? []) trusted.add(key);
    const valid = this.checkSeals(stored, outside, trusted, report);
    const sealed = sealedPositions(valid);
    const chains = await this.audit.verify(this.pool, { sealed, workers: this.workers, keepBreaks: maxFindings });
    for (const found of chains.breaks) report(found);
    findingsTotal += chains.breaksTotal - chains.breaks.length;

    const lastSeal = valid.reduce<Seal | undefined>((last, seal) => (!last || seal.statement.sealNo > last.statement.sealNo ? seal : last), undefined);
    const sealedSeq = new Map((lastSeal?.statement.heads ?? []).map((head) => [head.shard, head.seq]));
    const unsealedEvents = chains.heads.reduce((n, head) => n + Math.max(0, head.seq - (sealedSeq.get(head.shard) ?? 0)), 0);

    const rowsChecked: Record<string, number> = {};
    for (const check of this.checks) rowsChecked[check.name] = (await check.run(report)).rowsChecked;

    return {
      ok: findingsTotal === 0,
      findings,
      findingsTotal,
      shards: chains.shards,
      eventsChecked: chains.eventsChecked,
      seals: {
        checked: stored.length,
        outside: outside?.seals.length ?? 0,
        last: lastSeal ? { sealNo: lastSeal.statement.sealNo, sealedAt: lastSeal.statement.sealedAt } : null,
      },
      unsealedEvents,
      rowsChecked,
    };
  }

  /** Seals whose signature holds, from both sources; everything wrong with either is reported. */
  private checkSeals(stored: Seal[], outside: OutsideSeals | undefined, trusted: TrustedKeys, report: (finding: AuditFinding) => void): Seal[] {
    const valid: Seal[] = [];
    const signed = (seal: Seal, where: string): boolean => {
      const check = trusted.check(seal);
      const sealNo = seal.statement.sealNo;
      if (check === 'unknown-key') report({ reason: 'seal_key_unknown', sealNo, detail: `${where}: no published key ${seal.keyId}` });
      if (check === 'bad-signature') report({ reason: 'seal_signature_invalid', sealNo, detail: `${where}: the signature does not hold` });
      return check === 'valid';
    };

    const byNo = new Map<number, Seal>();
    let previous: Seal | undefined;
    for (const seal of stored) {
      const sealNo = seal.statement.sealNo;
      byNo.set(sealNo, seal);
      const expectedNo = (previous?.statement.sealNo ?? 0) + 1;
      for (let missing = expectedNo; missing < sealNo; missing++) report({ reason: 'seal_missing', sealNo: missing, detail: 'the database has no seal with this number' });
      if (signed(seal, 'database')) {
        valid.push(seal);
        const expectedPrevious = previous && previous.statement.sealNo === sealNo - 1 ? sealDigest(previous) : undefined;
        if (sealNo === 1 ? seal.statement.previous !== null : expectedPrevious !== undefined && seal.statement.previous !== expectedPrevious) {
          report({ reason: 'seal_chain_broken', sealNo, detail: 'the seal does not name the digest of the seal before it' });
        }
      }
      previous = seal;
    }

    for (const name of outside?.unreadable ?? []) report({ reason: 'seal_unreadable', detail: `${outside!.source}/${name}` });
    for (const seal of outside?.seals ?? []) {
      if (!signed(seal, outside!.source)) continue;
      const sealNo = seal.statement.sealNo;
      const inDatabase = byNo.get(sealNo);
      if (!inDatabase) {
        report({ reason: 'seal_missing', sealNo, detail: `held in ${outside!.source}, absent from the database` });
        valid.push(seal);
      } else if (sealDigest(inDatabase) !== sealDigest(seal)) {
        report({ reason: 'seal_mismatch', sealNo, detail: `the database's seal differs from the one held in ${outside!.source}` });
        valid.push(seal);
      }
    }
    return valid;
  }
}

/** What the valid seals vouch for: the event at each sealed head. */
function sealedPositions(seals: Seal[]): SealedPositions {
  const positions: SealedPositions = new Map();
  for (const seal of seals) {
    for (const head of seal.statement.heads) {
      const byShard = positions.get(head.shard) ?? positions.set(head.shard, new Map()).get(head.shard)!;
      const list = byShard.get(head.seq) ?? byShard.set(head.seq, []).get(head.seq)!;
      list.push({ hash: Buffer.from(head.hash, 'hex'), sealNo: seal.statement.sealNo });
    }
  }
  return positions;
}
