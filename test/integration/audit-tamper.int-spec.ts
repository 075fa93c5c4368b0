import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chainHash, eventContent, genesisHash, shardOf } from '../../core/audit/audit-event';
import type { AuditFinding } from '../../core/audit/audit-finding';
import { sealFileName } from '../../core/audit/seal';
import type { Transaction } from '../../core/transactions/domain/transaction';
import { asDatabaseOwner, createAuditWorld, rechain, type AuditWorld } from '../factories/audit-world';
import { createTestDatabase, type TestDatabase } from '../factories/database';

/**
 * Issue 9: every rewrite that someone with write access to the database can make is found by
 * verify and named (chain, position, entity, reason). Each test starts from the same history:
 * sealed transactions, then transactions after the last seal, and a clean verify.
 */
describe('verify against rewrites of the audit log', () => {
  let db: TestDatabase;
  let world: AuditWorld;
  let sealed: Transaction[];
  let unsealed: Transaction[];

  beforeEach(async () => {
    db = await createTestDatabase();
    world = await createAuditWorld(db.pool);
    sealed = [];
    for (let i = 0; i < 12; i++) sealed.push(await world.submit(i % 3 === 0 ? 'rejected' : 'completed'));
    await world.sealer.seal('system:test');
    unsealed = [await world.submit('completed'), await world.submit('rejected'), await world.submit('completed')];
    const clean = await world.verifier.verify();
    expect(clean).toMatchObject({ ok: true, findings: [], seals: { checked: 1, last: { sealNo: 1 } } });
    expect(clean.unsealedEvents).toBeGreaterThan(0);
  });

  afterEach(async () => {
    world?.close();
    await db?.close();
  });

  const reasons = (findings: AuditFinding[]) => findings.map((f) => f.reason);
  const shardOfTx = (tx: Transaction) => shardOf(tx.id, world.audit.shards);
  /** A forger's append: the next position of the event's chain, hashed with the chain's own function, the head moved on. */
  const appendForged = async (event: { entityType: string; entityId: string; type: string; actor: string; data: Record<string, unknown>; occurredAt: Date }) => {
    const shard = shardOf(event.entityId, world.audit.shards);
    const head = (await db.pool.query<{ seq: string; hash: Buffer }>('SELECT seq, hash FROM audit_chain_heads WHERE shard = $1', [shard])).rows[0];
    const seq = Number(head.seq) + 1;
    const hash = chainHash(head.hash, seq, eventContent(event));
    await db.pool.query(
      `INSERT INTO audit_events (shard, seq, entity_type, entity_id, type, actor, data, occurred_at, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [shard, seq, event.entityType, event.entityId, event.type, event.actor, event.data, event.occurredAt, head.hash, hash],
    );
    await db.pool.query('UPDATE audit_chain_heads SET seq = $2, hash = $3 WHERE shard = $1', [shard, seq, hash]);
    return seq;
  };
  const lastSeq = async (shard: number) => Number((await db.pool.query('SELECT seq FROM audit_chain_heads WHERE shard = $1', [shard])).rows[0].seq);

  it('names the newest events deleted with the chain head moved back, sealed or not', async () => {
    const victim = unsealed[2];
    const shard = shardOfTx(victim);
    const events = await world.audit.history(db.pool, 'transaction', victim.id);
    const completedEvent = events[events.length - 1];
    expect(completedEvent.seq).toBe(await lastSeq(shard));
    await asDatabaseOwner(db.pool, async () => {
      await db.pool.query('DELETE FROM audit_events WHERE shard = $1 AND seq = $2', [shard, completedEvent.seq]);
      await db.pool.query('UPDATE audit_chain_heads SET seq = $2, hash = $3 WHERE shard = $1', [shard, completedEvent.seq - 1, completedEvent.prevHash]);
    });
    const afterSeal = await world.verifier.verify();
    // After the last seal only the row can tell: it is completed, its events now end in received.
    expect(afterSeal.findings).toEqual([
      expect.objectContaining({ reason: 'state_mismatch', entityType: 'transaction', entityId: victim.id, shard, detail: expect.stringContaining('completed') }),
      expect.objectContaining({ reason: 'agency_ref_mismatch', entityId: victim.id }),
    ]);

    // Cutting into what the seal covers is named by the seal, whatever the rows say.
    const sealedVictim = sealed[11];
    const sealedShard = shardOfTx(sealedVictim);
    const [first] = await world.audit.history(db.pool, 'transaction', sealedVictim.id);
    await asDatabaseOwner(db.pool, async () => {
      await db.pool.query('DELETE FROM audit_events WHERE shard = $1 AND seq >= $2', [sealedShard, first.seq]);
      await db.pool.query('DELETE FROM transactions WHERE id = $1', [sealedVictim.id]);
      await db.pool.query('UPDATE audit_chain_heads SET seq = $2, hash = $3 WHERE shard = $1', [sealedShard, first.seq - 1, first.prevHash]);
    });
    const cut = await world.verifier.verify();
    expect(cut.findings).toContainEqual(expect.objectContaining({ reason: 'sealed_event_missing', shard: sealedShard, sealNo: 1 }));
  });

  it('names a truncated log whose heads were reset to the public genesis hashes', async () => {
    await asDatabaseOwner(db.pool, async () => {
      await db.pool.query('TRUNCATE audit_events');
      for (let shard = 0; shard < world.audit.shards; shard++) {
        await db.pool.query('UPDATE audit_chain_heads SET seq = 0, hash = $2 WHERE shard = $1', [shard, genesisHash(shard)]);
      }
    });
    const report = await world.verifier.verify();
    expect(report.ok).toBe(false);
    const sealedShards = new Set(sealed.map(shardOfTx));
    const missing = report.findings.filter((f) => f.reason === 'sealed_event_missing');
    expect(new Set(missing.map((f) => f.shard))).toEqual(sealedShards);
    expect(missing.every((f) => f.sealNo === 1)).toBe(true);
    for (const tx of [...sealed, ...unsealed]) {
      expect(report.findings).toContainEqual(expect.objectContaining({ reason: 'events_missing', entityType: 'transaction', entityId: tx.id }));
    }
  });

  it('names an edited event whose chain was recomputed after it, and the row edited to match', async () => {
    const victim = sealed.find((tx) => tx.state === 'completed')!;
    const shard = shardOfTx(victim);
    const events = await world.audit.history(db.pool, 'transaction', victim.id);
    const completed = events.find((e) => e.type === 'completed')!;
    await asDatabaseOwner(db.pool, async () => {
      await db.pool.query(`UPDATE audit_events SET data = jsonb_set(data, '{agencyRef}', '"FORGED-1"') WHERE shard = $1 AND seq = $2`, [shard, completed.seq]);
      await db.pool.query(`UPDATE transactions SET agency_ref = 'FORGED-1' WHERE id = $1`, [victim.id]);
      await rechain(db.pool, shard, completed.seq);
    });
    const report = await world.verifier.verify();
    // The chain and the row agree with each other now; the seal does not.
    expect(report.findings).toEqual([expect.objectContaining({ reason: 'sealed_hash_mismatch', shard, sealNo: 1 })]);
    expect(report.findings[0].seq).toBeGreaterThanOrEqual(completed.seq);
  });

  it('names a middle event deleted with the chain renumbered and recomputed', async () => {
    const victim = sealed[4];
    const shard = shardOfTx(victim);
    const [received] = await world.audit.history(db.pool, 'transaction', victim.id);
    const head = await lastSeq(shard);
    await asDatabaseOwner(db.pool, async () => {
      await db.pool.query('DELETE FROM audit_events WHERE shard = $1 AND seq = $2', [shard, received.seq]);
      for (let seq = received.seq + 1; seq <= head; seq++) {
        await db.pool.query('UPDATE audit_events SET seq = $3 WHERE shard = $1 AND seq = $2', [shard, seq, seq - 1]);
      }
      await rechain(db.pool, shard, received.seq);
    });
    const report = await world.verifier.verify();
    expect(report.ok).toBe(false);
    const sealedFinding = report.findings.find((f) => f.shard === shard && (f.reason === 'sealed_hash_mismatch' || f.reason === 'sealed_event_missing'));
    expect(sealedFinding).toMatchObject({ sealNo: 1 });
    // The transaction whose first event went is named by its history too.
    expect(report.findings).toContainEqual(expect.objectContaining({ reason: 'history_not_started', entityId: victim.id }));
  });

  it('names a forged event appended to a chain, after the last seal', async () => {
    const victim = unsealed[1];
    expect(victim.state).toBe('rejected');
    const shard = shardOfTx(victim);
    const forged = { entityType: 'transaction', entityId: victim.id, type: 'completed', actor: 'system:worker', data: { attempt: 1, agencyRef: 'FORGED-2' }, occurredAt: new Date() };
    const seq = await appendForged(forged);

    const report = await world.verifier.verify();
    expect(reasons(report.findings).sort()).toEqual(['agency_ref_mismatch', 'illegal_transition', 'state_mismatch']);
    expect(report.findings).toContainEqual(expect.objectContaining({ reason: 'illegal_transition', shard, seq, entityId: victim.id, detail: expect.stringContaining('rejected → completed') }));

    // An event for a transaction that never existed is named too.
    const ghost = { ...forged, entityId: '00000000-0000-4000-8000-000000000001', type: 'received' };
    const ghostShard = shardOf(ghost.entityId, world.audit.shards);
    const ghostSeq = await appendForged(ghost);
    expect((await world.verifier.verify()).findings).toContainEqual(
      expect.objectContaining({ reason: 'row_missing', entityType: 'transaction', entityId: ghost.entityId, shard: ghostShard, seq: ghostSeq }),
    );
  });

  it('names an edited transactions.state and an edited agency_ref', async () => {
    const [rejected, completed] = [sealed[0], sealed[1]];
    expect([rejected.state, completed.state]).toEqual(['rejected', 'completed']);
    await db.pool.query(`UPDATE transactions SET state = 'completed' WHERE id = $1`, [rejected.id]);
    await db.pool.query(`UPDATE transactions SET agency_ref = 'SOMEONE-ELSES' WHERE id = $1`, [completed.id]);
    const report = await world.verifier.verify();
    expect(report.findings).toHaveLength(2);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ reason: 'state_mismatch', entityType: 'transaction', entityId: rejected.id, shard: shardOfTx(rejected), detail: 'the row says completed, the events end in rejected' }),
    );
    expect(report.findings).toContainEqual(expect.objectContaining({ reason: 'agency_ref_mismatch', entityId: completed.id, shard: shardOfTx(completed) }));
  });

  it('names a rewrite of the seal table too, from seals held outside the database', async () => {
    const victim = sealed.find((tx) => tx.state === 'completed')!;
    const shard = shardOfTx(victim);
    const completed = (await world.audit.history(db.pool, 'transaction', victim.id)).find((e) => e.type === 'completed')!;
    await asDatabaseOwner(db.pool, async () => {
      await db.pool.query(`UPDATE audit_events SET data = jsonb_set(data, '{agencyRef}', '"FORGED-3"') WHERE shard = $1 AND seq = $2`, [shard, completed.seq]);
      await db.pool.query(`UPDATE transactions SET agency_ref = 'FORGED-3' WHERE id = $1`, [victim.id]);
      await rechain(db.pool, shard, completed.seq);
      await db.pool.query('DELETE FROM audit_seals');
    });
    // With the seal table gone, the database alone looks consistent …
    expect((await world.verifier.verify()).ok).toBe(true);
    // … but not to an auditor holding the seals written outside it.
    const outside = { source: world.folder.path, ...world.folder.read() };
    const report = await world.verifier.verify(outside);
    expect(report.findings).toContainEqual(expect.objectContaining({ reason: 'seal_missing', sealNo: 1 }));
    expect(report.findings).toContainEqual(expect.objectContaining({ reason: 'sealed_hash_mismatch', shard, sealNo: 1 }));
  });

  it('names a seal whose statement was edited to hold a number too large for a double, in the database and in the folder', async () => {
    // JSON.parse reads 1e400 as Infinity, which has no canonical JSON: read as null, the signature fails.
    await asDatabaseOwner(db.pool, () => db.pool.query(`UPDATE audit_seals SET statement = left(statement, -1) || ',"x":1e400}' WHERE seal_no = 1`));
    const file = join(world.folder.path, sealFileName(world.folder.read().seals[0]));
    writeFileSync(file, readFileSync(file, 'utf8').replace(/"statement": *\{/, '"statement": {"x": 1e400,'));
    expect(readFileSync(file, 'utf8')).toContain('1e400');
    const report = await world.verifier.verify({ source: world.folder.path, ...world.folder.read() });
    expect(report.findings).toEqual([
      expect.objectContaining({ reason: 'seal_signature_invalid', sealNo: 1, detail: 'database: the signature does not hold' }),
      expect.objectContaining({ reason: 'seal_signature_invalid', sealNo: 1, detail: `${world.folder.path}: the signature does not hold` }),
    ]);
  });

  it('reports every broken link of a chain, not only the first', async () => {
    const victim = sealed.find((tx) => tx.state === 'completed')!;
    const events = await world.audit.history(db.pool, 'transaction', victim.id);
    expect(events).toHaveLength(2);
    await asDatabaseOwner(db.pool, () => db.pool.query(`UPDATE audit_events SET actor = 'someone-else' WHERE entity_type = 'transaction' AND entity_id = $1`, [victim.id]));
    const report = await world.verifier.verify();
    expect(report.findings).toEqual(events.map((e) => ({ reason: 'hash_mismatch', shard: e.shard, seq: e.seq, entityType: 'transaction', entityId: victim.id })));
  });
});
