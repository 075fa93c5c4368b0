import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuditLog } from '../../core/audit/audit-log';
import { KeyFolder, PublishedKeys } from '../../core/signing/published-keys';
import { createAuditVerifier } from '../../gateway/src/audit/audit-verifier.factory';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';

/** Events per broken chain: each is a finding, and the api lists only the first ones. */
const EVENTS = 3000;
const CHAINS = [0, 1];

/**
 * Issue 13's heap: a log rewritten or restored wrongly breaks at every event, and GET
 * /v1/audit/verify, which lists 1000 findings, held every one (three million for a million
 * transactions: a verify thread ran out of heap and the api's RSS passed 680 MiB under the deployed
 * --max-old-space-size=256). verify keeps the first findings and counts the rest.
 */
describeWithPostgres('verify of a log broken at every event', () => {
  let db: TestDatabase;
  let audit: AuditLog;
  let keysDir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    audit = await AuditLog.open(db.pool);
    keysDir = mkdtempSync(path.join(tmpdir(), 'kiungo-keys-'));
    // Linked placeholder hashes, as a bulk rewrite or a bad restore leaves them: every event's content fails its hash.
    const client = await db.pool.connect();
    try {
      await client.query(`SET session_replication_role = replica`);
      await client.query(
        `INSERT INTO audit_events (shard, seq, entity_type, entity_id, type, actor, data, occurred_at, prev_hash, hash)
         SELECT c, g, 'transaction', md5(c || 'e' || g)::uuid::text, 'received', 'officer-1', '{"k":1}'::jsonb,
                timestamptz '2026-01-01T00:00:00Z' + make_interval(secs => g), sha256(int8send(c * 1000000 + g - 1)), sha256(int8send(c * 1000000 + g))
           FROM unnest($1::integer[]) AS c, generate_series(1, $2::integer) AS g`,
        [CHAINS, EVENTS],
      );
    } finally {
      await client.query(`RESET session_replication_role`);
      client.release();
    }
  });

  afterAll(async () => {
    await db?.close();
    if (keysDir) rmSync(keysDir, { recursive: true, force: true });
  });

  it('keeps the first breaks of each chain and counts them all, on one thread and split between threads', async () => {
    const all = await audit.verify(db.pool, { shards: CHAINS, workers: 1 });
    // Every event's hash, the first event's link to genesis and each head row.
    expect(all.breaks).toHaveLength(CHAINS.length * (EVENTS + 2));
    const firstOf = (chain: number, n: number) => all.breaks.filter((b) => b.shard === chain).slice(0, n);
    for (const options of [{ workers: 1 }, { workers: 2, minEventsForWorkers: 1 }]) {
      const kept = await audit.verify(db.pool, { shards: CHAINS, keepBreaks: 50, ...options });
      expect(kept.breaks).toEqual([...firstOf(0, 50), ...firstOf(1, 50)]);
      expect(kept).toMatchObject({ ok: false, eventsChecked: CHAINS.length * EVENTS, breaksTotal: all.breaks.length });
    }
    expect(all.breaksTotal).toBe(all.breaks.length);
  });

  it('lists at most maxFindings (what GET /v1/audit/verify asks for) and counts every finding', async () => {
    const verifier = createAuditVerifier(db.pool, audit, new PublishedKeys(null, new KeyFolder(keysDir)), 2);
    const every = await verifier.verify();
    expect(every.findings.length).toBeGreaterThanOrEqual(CHAINS.length * EVENTS);
    const listed = await verifier.verify(undefined, { maxFindings: 1000 });
    expect(listed.findings).toEqual(every.findings.slice(0, 1000));
    expect(listed).toMatchObject({ ok: false, findingsTotal: every.findings.length });
    expect(every.findingsTotal).toBe(every.findings.length);
  });
});
