import { runAuditVerify } from '../../gateway/src/cli/audit-verify';
import { asDatabaseOwner, createAuditWorld, newSealKey, type AuditWorld } from '../factories/audit-world';
import { createTestDatabase, type TestDatabase } from '../factories/database';

/** `npm run audit:verify`: the same verification, as an operator or an auditor runs it. */
describe('npm run audit:verify', () => {
  let db: TestDatabase;
  let world: AuditWorld;
  const sealKey = newSealKey();

  beforeAll(async () => {
    db = await createTestDatabase();
    world = await createAuditWorld(db.pool, sealKey);
    for (let i = 0; i < 4; i++) await world.submit('completed');
    await world.sealer.seal('system:test');
  });

  afterAll(async () => {
    world?.close();
    await db?.close();
  });

  const run = async (args: string[]) => {
    const lines: string[] = [];
    const env = { DATABASE_URL: db.url, KIUNGO_DEV_TOKENS: '1', KIUNGO_DATA_KEY: Buffer.alloc(32, 1).toString('base64'), KIUNGO_SEAL_KEY: sealKey, KIUNGO_SEAL_DIR: world.folder.path };
    const report = await runAuditVerify(args, { env, out: (line) => lines.push(line) });
    return { report, lines };
  };

  it('says OK on an untouched log, then names each finding on a line of its own', async () => {
    const clean = await run([]);
    expect(clean.report.ok).toBe(true);
    expect(clean.lines).toEqual([expect.stringMatching(/^OK — 9 events in 256 chains, 1 seals \(last seal #1 at .*; 1 events after it\), 4 transactions checked in/)]);

    const [tx] = (await db.pool.query<{ id: string }>('SELECT id FROM transactions ORDER BY created_at LIMIT 1')).rows;
    await db.pool.query(`UPDATE transactions SET state = 'rejected' WHERE id = $1`, [tx.id]);
    const broken = await run([]);
    expect(broken.report.ok).toBe(false);
    expect(broken.lines[0]).toMatch(new RegExp(`^chain \\d+ position \\d+ transaction ${tx.id}: state_mismatch — the row says rejected, the events end in completed$`));
    expect(broken.lines[1]).toMatch(/^BROKEN: 1 finding\(s\)/);
    await db.pool.query(`UPDATE transactions SET state = 'completed' WHERE id = $1`, [tx.id]);
  });

  it('convicts a rewritten seal table with the seals held outside the database (--seals)', async () => {
    await asDatabaseOwner(db.pool, () => db.pool.query('DELETE FROM audit_seals'));
    expect((await run([])).report.ok).toBe(true);
    const { report, lines } = await run(['--seals', world.folder.path]);
    expect(report.ok).toBe(false);
    expect(lines).toContain('seal_missing (seal #1) — held in ' + world.folder.path + ', absent from the database');
  });
});
