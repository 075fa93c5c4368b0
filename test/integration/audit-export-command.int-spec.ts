import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAuditExport } from '../../gateway/src/cli/audit-export';
import { createAuditWorld, type AuditWorld } from '../factories/audit-world';
import { createTestDatabase, type TestDatabase } from '../factories/database';

/** `npm run audit:export`: the API's filters and formats, to a file, with a progress line. */
describe('npm run audit:export', () => {
  let db: TestDatabase;
  let world: AuditWorld;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    world = await createAuditWorld(db.pool);
    dir = mkdtempSync(join(tmpdir(), 'kiungo-export-'));
    for (let i = 0; i < 7; i++) await world.submit(i < 5 ? 'completed' : 'rejected');
  });

  afterAll(async () => {
    world?.close();
    rmSync(dir, { recursive: true, force: true });
    await db?.close();
  });

  const run = async (args: string[]) => {
    let progress = '';
    const env = { DATABASE_URL: db.url, KIUNGO_DEV_TOKENS: '1', KIUNGO_DATA_KEY: Buffer.alloc(32, 7).toString('base64') };
    const result = await runAuditExport(args, { env, err: (text) => (progress += text), progressEveryMs: 5 });
    return { ...result, progress };
  };

  it('writes the filtered transactions as CSV and the events as JSON Lines, saying how many and how fast', async () => {
    const csv = join(dir, 'rejected.csv');
    const rejected = await run(['--of', 'transactions', '--state', 'rejected', '--agency', 'nrb', '--out', csv]);
    expect(rejected.rows).toBe(2);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('id,service,agency,centre,channel,officer,submittedBy,channelClient,state,agencyReference,createdAt,updatedAt');
    expect(lines.slice(1).every((line) => line.includes(',rejected,'))).toBe(true);
    expect(rejected.progress).toMatch(new RegExp(`exported 2 transactions in [\\d.]+ s \\([\\d,]+/s\\) to ${csv}\\n$`));

    const jsonl = join(dir, 'events.jsonl');
    const events = await run(['--of', 'events', '--format', 'jsonl', '--entity-type', 'transaction', '--type', 'completed', '--out', jsonl]);
    expect(events.rows).toBe(5);
    const parsed = readFileSync(jsonl, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(parsed.map((e) => e.type)).toEqual(Array(5).fill('completed'));
    expect(parsed[0]).toEqual(expect.objectContaining({ chain: expect.any(Number), position: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) }));
  });
});
