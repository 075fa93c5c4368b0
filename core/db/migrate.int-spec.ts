/**
 * The migration runner on both engines it runs on: PGlite (embedded mode, always) and
 * PostgreSQL (when KIUNGO_TEST_DATABASE_URL is set). Each test writes its own migrations into a
 * temporary folder; core/db/migrations is not used here.
 */
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from '../../test/factories/database';
import { describeWithPostgres } from '../../test/factories/services';
import { migrate, MIGRATIONS_TABLE } from './migrate';
import { createPool } from './pool';

const CENTRES: Record<string, string> = {
  '0001_centres.sql': `
    CREATE TABLE centres (code text PRIMARY KEY, name text NOT NULL);
    INSERT INTO centres (code, name) VALUES ('NBI-GPO', 'Nairobi GPO');`,
  '0001_centres.down.sql': 'DROP TABLE centres;',
  '0002_centre_county.sql': `
    ALTER TABLE centres ADD COLUMN county text;
    UPDATE centres SET county = 'Nairobi' WHERE code = 'NBI-GPO';`,
  '0002_centre_county.down.sql': 'ALTER TABLE centres DROP COLUMN county;',
  '0003_counters.sql': `
    CREATE TABLE counters (
      id serial PRIMARY KEY,
      centre_code text NOT NULL REFERENCES centres (code),
      label text NOT NULL
    );`,
  '0003_counters.down.sql': 'DROP TABLE counters;',
};

describe('migrate on PGlite', () => migrationRunnerSuite('pglite'));
describeWithPostgres('migrate on PostgreSQL', () => migrationRunnerSuite('postgres'));

function migrationRunnerSuite(kind: TestDatabaseKind): void {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase({ kind, migrations: false });
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    // One database per suite (a fresh PGlite costs ~1 s); an empty schema per test.
    await db.pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    dir = await mkdtemp(path.join(tmpdir(), 'kiungo-migrations-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function write(files: Record<string, string>): Promise<void> {
    for (const [name, sql] of Object.entries(files)) await writeFile(path.join(dir, name), sql);
  }
  async function appliedVersions(): Promise<number[]> {
    const { rows } = await db.pool.query<{ version: number }>(`SELECT version FROM ${MIGRATIONS_TABLE} ORDER BY version`);
    return rows.map((row) => row.version);
  }
  async function tableExists(name: string): Promise<boolean> {
    const { rows } = await db.pool.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [name]);
    return rows[0].found !== null;
  }

  it('applies and reverts migrations step by step, keeping the data in the tables', async () => {
    await write(CENTRES);
    const firstTwo = await migrate(db.pool, { dir, steps: 2 });
    expect(firstTwo.map((run) => [run.name, run.direction])).toEqual([
      ['0001_centres', 'up'],
      ['0002_centre_county', 'up'],
    ]);
    await db.pool.query(`INSERT INTO centres (code, name, county) VALUES ('MSA', 'Mombasa', 'Mombasa')`);

    expect((await migrate(db.pool, { dir })).map((run) => run.name)).toEqual(['0003_counters']);
    await db.pool.query(`INSERT INTO counters (centre_code, label) VALUES ('MSA', 'Counter 1'), ('NBI-GPO', 'Counter 7')`);

    const reverted = await migrate(db.pool, { dir, direction: 'down' });
    expect(reverted.map((run) => [run.name, run.direction])).toEqual([['0003_counters', 'down']]);
    expect(await tableExists('counters')).toBe(false);
    const afterOneDown = await db.pool.query('SELECT code, name, county FROM centres ORDER BY code');
    expect(afterOneDown.rows).toEqual([
      { code: 'MSA', name: 'Mombasa', county: 'Mombasa' },
      { code: 'NBI-GPO', name: 'Nairobi GPO', county: 'Nairobi' },
    ]);

    await migrate(db.pool, { dir, direction: 'down' });
    const afterTwoDown = await db.pool.query('SELECT * FROM centres ORDER BY code');
    expect(afterTwoDown.rows).toEqual([
      { code: 'MSA', name: 'Mombasa' },
      { code: 'NBI-GPO', name: 'Nairobi GPO' },
    ]);
    expect(await appliedVersions()).toEqual([1]);

    expect((await migrate(db.pool, { dir })).map((run) => run.version)).toEqual([2, 3]);
    const backUp = await db.pool.query('SELECT code, county FROM centres ORDER BY code');
    expect(backUp.rows).toEqual([
      { code: 'MSA', county: null },
      { code: 'NBI-GPO', county: 'Nairobi' },
    ]);

    const all = await migrate(db.pool, { dir, direction: 'down', steps: Number.POSITIVE_INFINITY });
    expect(all.map((run) => run.version)).toEqual([3, 2, 1]);
    expect(await tableExists('centres')).toBe(false);
    expect(await appliedVersions()).toEqual([]);
  });

  it('does nothing on a second run and keeps the first run’s record', async () => {
    await write(CENTRES);
    expect(await migrate(db.pool, { dir })).toHaveLength(3);
    const before = await db.pool.query(`SELECT version, name, checksum, applied_at FROM ${MIGRATIONS_TABLE} ORDER BY version`);

    expect(await migrate(db.pool, { dir })).toEqual([]);
    const after = await db.pool.query(`SELECT version, name, checksum, applied_at FROM ${MIGRATIONS_TABLE} ORDER BY version`);
    expect(after.rows).toEqual(before.rows);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM centres')).rows[0].n).toBe(1);
  });

  it('refuses to run when an applied migration file was edited, naming the file', async () => {
    await write(CENTRES);
    await migrate(db.pool, { dir });
    await writeFile(path.join(dir, '0002_centre_county.sql'), `${CENTRES['0002_centre_county.sql']}\n-- edited`);

    const changed = new RegExp(`${escape(path.join(dir, '0002_centre_county.sql'))} was changed after it was applied`);
    await expect(migrate(db.pool, { dir })).rejects.toThrow(changed);
    await expect(migrate(db.pool, { dir, direction: 'down' })).rejects.toThrow(changed);
    expect(await appliedVersions()).toEqual([1, 2, 3]);
  });

  it('refuses to go down past a migration without a down file, before reverting anything', async () => {
    await write(CENTRES);
    await migrate(db.pool, { dir });
    await unlink(path.join(dir, '0002_centre_county.down.sql'));

    await expect(migrate(db.pool, { dir, direction: 'down', steps: 2 })).rejects.toThrow(
      `missing down migration ${path.join(dir, '0002_centre_county.down.sql')}`,
    );
    expect(await appliedVersions()).toEqual([1, 2, 3]);
    expect(await tableExists('counters')).toBe(true);
  });

  it('rolls back a failing migration entirely and names its file', async () => {
    await write({
      ...CENTRES,
      '0004_broken.sql': `CREATE TABLE half_done (id int); INSERT INTO no_such_table VALUES (1);`,
    });

    await expect(migrate(db.pool, { dir })).rejects.toThrow(`Migration ${path.join(dir, '0004_broken.sql')} failed`);
    expect(await appliedVersions()).toEqual([1, 2, 3]);
    expect(await tableExists('half_done')).toBe(false);
  });

  it('applies each migration once when two processes migrate at the same moment', async () => {
    await write({
      ...CENTRES,
      // A slow migration widens the window in which the two runners could collide.
      '0004_slow.sql': 'CREATE TABLE slow (id int); SELECT pg_sleep(0.2);',
    });
    const api = createPool({ url: db.url, max: 1, applicationName: 'kiungo-test-api' });
    const worker = createPool({ url: db.url, max: 1, applicationName: 'kiungo-test-worker' });
    try {
      const [byApi, byWorker] = await Promise.all([migrate(api, { dir }), migrate(worker, { dir })]);
      const versions = [...byApi, ...byWorker].map((run) => run.version).sort();
      expect(versions).toEqual([1, 2, 3, 4]);
      expect(await appliedVersions()).toEqual([1, 2, 3, 4]);
    } finally {
      await Promise.all([api.end(), worker.end()]);
    }
  });

  it('treats a missing folder as no migrations and rejects a misnamed file', async () => {
    expect(await migrate(db.pool, { dir: path.join(dir, 'absent') })).toEqual([]);
    expect(await appliedVersions()).toEqual([]);

    await write({ '1-centres.sql': 'SELECT 1;' });
    await expect(migrate(db.pool, { dir })).rejects.toThrow(`${path.join(dir, '1-centres.sql')} is not named NNNN_name.sql`);
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
