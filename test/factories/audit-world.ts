/**
 * A small audit world on a real database for verify's tests: transactions written through the
 * real repository (so their events are the ones production writes), a sealer with a key of its
 * own and a seal folder, and the verifier wired as the gateway wires it.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { chainHash, eventContent, genesisHash } from '../../core/audit/audit-event';
import { AuditLog } from '../../core/audit/audit-log';
import { AuditSealer } from '../../core/audit/sealer';
import { SealFolder } from '../../core/audit/seal-folder';
import { SealStore } from '../../core/audit/seal-store';
import { AuditVerifier } from '../../core/audit/verify-audit';
import { SystemClock } from '../../core/shared/clock';
import { PersonalDataVault } from '../../core/shared/personal-data';
import { StatementSigner, TrustedKeys } from '../../core/signing/signed-statement';
import { nextState } from '../../core/transactions/domain/agency-outcome';
import type { Transaction } from '../../core/transactions/domain/transaction';
import { PgTransactionRepository } from '../../core/transactions/pg/transaction.pg-repository';
import { TransactionHistoryCheck } from '../../core/transactions/pg/transaction-history.check';
import { newTransaction } from './transaction-records';

/** A fresh Ed25519 seal key, PKCS#8 PEM (as KIUNGO_SEAL_KEY takes it). */
export function newSealKey(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export interface AuditWorld {
  pool: Pool;
  audit: AuditLog;
  transactions: PgTransactionRepository;
  sealer: AuditSealer;
  signer: StatementSigner;
  folder: SealFolder;
  verifier: AuditVerifier;
  /** A transaction answered by its agency: `completed` with a reference, or `rejected`. */
  submit(outcome: 'completed' | 'rejected', ref?: string): Promise<Transaction>;
  close(): void;
}

export async function createAuditWorld(pool: Pool, sealKey = newSealKey()): Promise<AuditWorld> {
  const signer = StatementSigner.fromText(sealKey);
  const audit = await AuditLog.open(pool);
  const transactions = new PgTransactionRepository(pool, audit);
  const store = new SealStore();
  const dir = mkdtempSync(join(tmpdir(), 'kiungo-seals-'));
  const folder = new SealFolder(dir);
  const clock = new SystemClock();
  const sealer = new AuditSealer(pool, audit, store, signer, clock, folder, () => undefined);
  const trusted = new TrustedKeys([signer.published]);
  const verifier = new AuditVerifier(pool, audit, store, () => trusted, [new TransactionHistoryCheck(pool)]);
  const vault = new PersonalDataVault(Buffer.alloc(32, 7));
  let n = 0;

  const submit = async (outcome: 'completed' | 'rejected', ref = `REF-${++n}`): Promise<Transaction> => {
    const now = clock.now();
    const id = randomUUID();
    const record = newTransaction({
      id,
      citizenIdHash: vault.lookupHash(`1000${n}`),
      citizenSealed: vault.seal({ idNumber: `1000${n}` }),
      payloadSealed: vault.seal({}),
      dataKeySealed: null,
      nextAttemptAt: now,
    });
    const received = { entityType: 'transaction', entityId: id, type: 'received', actor: 'officer-1', occurredAt: now, data: { service: 'id-card-replacement', agency: 'nrb', channel: 'counter', centre: 'NRB-GPO' } };
    const recorded = await transactions.record(record, [received]);
    if (recorded.kind !== 'created') throw new Error('not recorded');
    const answer = outcome === 'completed' ? ({ kind: 'accepted', agencyRef: ref } as const) : ({ kind: 'rejected', code: 'NOT_ELIGIBLE', reason: 'no' } as const);
    const step = nextState(recorded.transaction, answer, { via: 'attempt', actor: 'officer-1', sentAt: now, inline: true }, { now });
    const applied = await transactions.apply(id, step!);
    return applied!.transaction;
  };

  return { pool, audit, transactions, sealer, signer, folder, verifier, submit, close: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Lets the test act as someone with write access to the database: the append-only triggers off. */
export async function asDatabaseOwner<T>(pool: Pool, work: () => Promise<T>): Promise<T> {
  await pool.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
  await pool.query('ALTER TABLE audit_seals DISABLE TRIGGER audit_seals_append_only');
  try {
    return await work();
  } finally {
    await pool.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    await pool.query('ALTER TABLE audit_seals ENABLE TRIGGER audit_seals_append_only');
  }
}

/**
 * What a careful forger does after changing the chain: recompute every hash from `fromSeq` on with
 * the chain's own hash function, and move the head to the new end, so the chain is consistent again.
 */
export async function rechain(pool: Pool, shard: number, fromSeq: number): Promise<void> {
  const { rows } = await pool.query(
    `SELECT shard, seq, entity_type, entity_id, type, actor, data, occurred_at, prev_hash, hash FROM audit_events WHERE shard = $1 AND seq >= $2 ORDER BY seq`,
    [shard, fromSeq],
  );
  const before = await pool.query<{ hash: Buffer }>('SELECT hash FROM audit_events WHERE shard = $1 AND seq = $2', [shard, fromSeq - 1]);
  let prev = before.rows[0]?.hash ?? genesisHash(shard);
  let seq = fromSeq - 1;
  for (const row of rows) {
    seq = Number(row.seq);
    const hash = chainHash(prev, seq, eventContent({ entityType: row.entity_type, entityId: row.entity_id, type: row.type, actor: row.actor, data: row.data, occurredAt: row.occurred_at }));
    await pool.query('UPDATE audit_events SET prev_hash = $3, hash = $4 WHERE shard = $1 AND seq = $2', [shard, seq, prev, hash]);
    prev = hash;
  }
  await pool.query('UPDATE audit_chain_heads SET seq = $2, hash = $3 WHERE shard = $1', [shard, seq, prev]);
}
