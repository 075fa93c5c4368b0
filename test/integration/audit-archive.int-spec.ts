import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainHash, eventContent } from '../../core/audit/audit-event';
import { runAuditArchive } from '../../gateway/src/cli/audit-archive';
import { runVerifyArchive } from '../../gateway/src/cli/audit-verify-archive';
import { createAuditWorld, newSealKey, type AuditWorld } from '../factories/audit-world';
import { createTestDatabase, type TestDatabase } from '../factories/database';

/** Evidence archives: written from the database, verified from the file alone. */
describe('npm run audit:archive and audit:verify-archive', () => {
  let db: TestDatabase;
  let world: AuditWorld;
  let dir: string;
  let betweenSeals: Date;
  const sealKey = newSealKey();

  beforeAll(async () => {
    db = await createTestDatabase();
    world = await createAuditWorld(db.pool, sealKey);
    dir = mkdtempSync(join(tmpdir(), 'kiungo-archives-'));
    for (let i = 0; i < 5; i++) await world.submit(i % 2 ? 'rejected' : 'completed');
    await world.sealer.seal('system:test');
    betweenSeals = new Date();
    for (let i = 0; i < 5; i++) await world.submit('completed');
    await world.sealer.seal('system:test');
  });

  afterAll(async () => {
    world?.close();
    rmSync(dir, { recursive: true, force: true });
    await db?.close();
  });

  const env = () => ({ DATABASE_URL: db.url, KIUNGO_DEV_TOKENS: '1', KIUNGO_DATA_KEY: Buffer.alloc(32, 1).toString('base64'), KIUNGO_SEAL_KEY: sealKey, KIUNGO_SEAL_DIR: world.folder.path });
  const verify = async (args: string[]) => {
    const lines: string[] = [];
    const report = await runVerifyArchive(args, (line) => lines.push(line));
    return { report, lines };
  };

  it('writes archives chained to each other that verify with no database, and names a modified one', async () => {
    const first = await runAuditArchive(['--from', '2000-01-01T00:00:00Z', '--to', betweenSeals.toISOString(), '--dir', dir], { env: env(), out: () => undefined });
    const second = await runAuditArchive(['--from', betweenSeals.toISOString(), '--to', new Date(Date.now() + 60_000).toISOString(), '--dir', dir], { env: env(), out: () => undefined });
    expect(first!.file).toMatch(/kiungo-audit-0000000000-0000000001-[0-9a-f]{16}\.jsonl$/);
    expect(second!.file).toMatch(/kiungo-audit-0000000001-0000000002-[0-9a-f]{16}\.jsonl$/);
    expect(second!.file).toContain(second!.digest.slice(0, 16));

    // Nothing but the files, and the public keys from the seal folder.
    const good = await verify([second!.file, '--keys', world.folder.keysPath, '--previous', first!.file]);
    expect(good.report).toMatchObject({ ok: true, seals: 2, header: { fromSeal: 1, toSeal: 2, previousArchive: first!.digest } });
    expect(good.report.events).toBe(5 * 2 + 1); // five transactions (received, completed), and the first seal's own event
    expect(good.lines[good.lines.length - 1]).toMatch(/^OK — .*: seals 1 to 2, 2 seals, 11 events, digest [0-9a-f]{64}$/);
    expect((await verify([first!.file])).lines).toContain(`keys taken from the archive itself (compare with GET /v1/audit/keys): ${world.signer.keyId}`);

    // An event edited in the file, its hash left alone: named at its line, chain and position.
    const text = readFileSync(second!.file, 'utf8').split('\n');
    const index = text.findIndex((line) => line.includes('"type":"completed"'));
    const edited = JSON.parse(text[index]);
    text[index] = JSON.stringify({ ...edited, data: { ...edited.data, agencyRef: 'FORGED' } });
    const forged = join(dir, 'forged.jsonl');
    writeFileSync(forged, text.join('\n'));
    const bad = await verify([forged, '--keys', world.folder.keysPath]);
    expect(bad.report.ok).toBe(false);
    expect(bad.report.findings).toContainEqual(expect.objectContaining({ reason: 'hash_mismatch', line: index + 1, chain: edited.chain, position: edited.position, entityId: edited.entityId }));
    expect(bad.report.findings).toContainEqual(expect.objectContaining({ reason: 'archive_digest_mismatch' }));

    // A number too large for a double added to an event's data and to a seal's statement (JSON.parse reads
    // it as Infinity, which has no canonical JSON): a hash and a signature that do not hold, not a crash.
    const overflowed = readFileSync(second!.file, 'utf8').split('\n');
    const sealIndex = overflowed.findIndex((line) => line.startsWith('{"kind":"seal"'));
    overflowed[index] = overflowed[index].replace('"data":{', '"data":{"x":1e400,');
    overflowed[sealIndex] = overflowed[sealIndex].replace('"statement":{', '"statement":{"x":1e400,');
    expect([overflowed[index], overflowed[sealIndex]].every((line) => line.includes('1e400'))).toBe(true);
    writeFileSync(forged, overflowed.join('\n'));
    const overflow = await verify([forged, '--keys', world.folder.keysPath]);
    expect(overflow.report.findings).toContainEqual(expect.objectContaining({ reason: 'seal_signature_invalid', line: sealIndex + 1 }));
    expect(overflow.report.findings).toContainEqual(expect.objectContaining({ reason: 'hash_mismatch', line: index + 1, chain: edited.chain, position: edited.position }));

    // Recomputing the chain after the edit, and the closing digest, does not help: the seal still names the old hash.
    let prev: Buffer = Buffer.from(edited.prevHash, 'hex');
    const lines = text.map((line) => (line ? JSON.parse(line) : null));
    for (let i = index; i < lines.length; i++) {
      const line = lines[i];
      if (!line || line.kind !== 'event' || line.chain !== edited.chain) continue;
      line.prevHash = prev.toString('hex');
      prev = chainHash(prev, line.position, eventContent({ ...line, occurredAt: new Date(line.at) }));
      line.hash = prev.toString('hex');
    }
    const body = lines.filter((line) => line && line.kind !== 'end').map((line) => `${JSON.stringify(line)}\n`).join('');
    const end = lines.find((line) => line?.kind === 'end');
    writeFileSync(forged, `${body}${JSON.stringify({ ...end, digest: createHash('sha256').update(body).digest('hex') })}\n`);
    const recomputed = await verify([forged, '--keys', world.folder.keysPath]);
    expect(recomputed.report.findings).toEqual([expect.objectContaining({ reason: 'sealed_hash_mismatch', chain: edited.chain, sealNo: 2 })]);

    // A key the auditor does not trust, a cut file, the wrong predecessor: each named.
    const otherKeys = mkdtempSync(join(tmpdir(), 'kiungo-keys-'));
    try {
      const strangers = await verify([second!.file, '--keys', otherKeys]);
      expect(strangers.report.findings.map((f) => f.reason)).toEqual(['seal_key_unknown', 'seal_key_unknown']);
    } finally {
      rmSync(otherKeys, { recursive: true, force: true });
    }
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, readFileSync(second!.file, 'utf8').split('\n').slice(0, -3).join('\n'));
    expect((await verify([cut])).report.findings.map((f) => f.reason)).toContain('archive_not_closed');
    expect((await verify([first!.file, '--previous', second!.file])).report.findings.map((f) => f.reason)).toEqual(['archive_previous_mismatch']);
  });
});
