import type { Pool } from 'pg';
import { withTransaction } from '../db/pool';
import type { Clock } from '../shared/clock';
import type { StatementSigner } from '../signing/signed-statement';
import type { AuditLog } from './audit-log';
import { SEAL_TYPE, sealDigest, type Seal, type SealStatement } from './seal';
import type { SealFolder } from './seal-folder';
import type { SealStore } from './seal-store';

/** Audit entity of the seals' own events (`sealed`, `key_rotated`). */
export const SEAL_ENTITY = 'audit-seal';

/**
 * Seals every chain head (the worker on an interval; an admin on demand): one signed statement,
 * chained to the previous seal, stored in `audit_seals` together with its audit event, then
 * written to the seal folder and to the log, so copies of it exist outside the database.
 */
export class AuditSealer {
  constructor(
    private readonly pool: Pool,
    private readonly audit: AuditLog,
    private readonly store: SealStore,
    private readonly signer: StatementSigner,
    private readonly clock: Clock,
    private readonly folder: SealFolder | undefined,
    private readonly log: (line: string) => void,
  ) {}

  get keyId(): string {
    return this.signer.keyId;
  }

  async seal(actor: string): Promise<Seal> {
    const seal = await withTransaction(this.pool, async (client) => {
      // One sealer at a time: the series of seals is a chain too.
      await client.query('LOCK TABLE audit_seals IN SHARE ROW EXCLUSIVE MODE');
      const previous = await this.store.last(client);
      const { rows } = await client.query<{ shard: number; seq: string; hash: Buffer }>('SELECT shard, seq, hash FROM audit_chain_heads ORDER BY shard');
      const now = this.clock.now();
      const signed: Seal = this.signer.sign<SealStatement>({
        type: SEAL_TYPE,
        sealNo: (previous?.statement.sealNo ?? 0) + 1,
        sealedAt: now.toISOString(),
        previous: previous ? sealDigest(previous) : null,
        heads: rows.map((row) => ({ shard: row.shard, seq: Number(row.seq), hash: row.hash.toString('hex') })),
      });
      await this.store.insert(client, signed);
      const entityId = String(signed.statement.sealNo);
      if (previous && previous.keyId !== signed.keyId) {
        await this.audit.append(client, {
          entityType: SEAL_ENTITY,
          entityId,
          type: 'key_rotated',
          actor,
          data: { from: previous.keyId, to: signed.keyId },
          occurredAt: now,
        });
      }
      await this.audit.append(client, {
        entityType: SEAL_ENTITY,
        entityId,
        type: 'sealed',
        actor,
        data: { sealNo: signed.statement.sealNo, digest: sealDigest(signed), keyId: signed.keyId },
        occurredAt: now,
      });
      return signed;
    });
    this.log(`audit seal ${JSON.stringify(seal)}`);
    await this.writeOutside();
    return seal;
  }

  /** Writes the newest seals that are not in the folder yet (a crash between commit and file loses none). */
  private async writeOutside(): Promise<void> {
    if (!this.folder) return;
    this.folder.publishKey(this.signer.published);
    const last = await this.store.last(this.pool);
    if (!last) return;
    const recent = await this.store.page(this.pool, Math.max(0, last.statement.sealNo - 50), 50);
    for (const seal of recent) {
      if (!this.folder.has(seal)) this.folder.write(seal);
    }
  }
}
