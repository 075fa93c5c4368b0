/**
 * createTestDatabase gives each caller its own migrated database and removes it on close, on
 * both engines.
 */
import { Client } from 'pg';
import { defaultMigrationsDir, MIGRATIONS_TABLE } from '../../core/db/migrate';
import { readMigrationFiles } from '../../core/db/migration-files';
import { createTestDatabase, TEMPLATE_DATABASE_ENV, type TestDatabaseKind } from './database';
import { describeWithPostgres, testServices } from './services';

describe('createTestDatabase on PGlite', () => testDatabaseSuite('pglite'));
describeWithPostgres('createTestDatabase on PostgreSQL', () => testDatabaseSuite('postgres'));

function testDatabaseSuite(kind: TestDatabaseKind): void {
  it('gives two callers two separate databases with every migration applied', async () => {
    const expected = (await readMigrationFiles(defaultMigrationsDir())).map((file) => file.version);
    const [first, second] = await Promise.all([createTestDatabase({ kind }), createTestDatabase({ kind })]);
    try {
      expect(first.kind).toBe(kind);
      // global-setup's template reaches the Jest workers, so databases are copies, not re-migrations.
      if (kind === 'postgres') expect(process.env[TEMPLATE_DATABASE_ENV]).toMatch(/^kiungo_tpl_[0-9a-f]{12}$/);
      for (const db of [first, second]) {
        const { rows } = await db.pool.query<{ version: number }>(`SELECT version FROM ${MIGRATIONS_TABLE} ORDER BY version`);
        expect(rows.map((row) => row.version)).toEqual(expected);
      }
      await first.pool.query('CREATE TABLE only_in_first (id int)');
      const inSecond = await second.pool.query(`SELECT to_regclass('only_in_first')::text AS found`);
      expect(inSecond.rows[0].found).toBeNull();
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('leaves the schema empty when asked for no migrations', async () => {
    const db = await createTestDatabase({ kind, migrations: false });
    try {
      const { rows } = await db.pool.query(`SELECT to_regclass('${MIGRATIONS_TABLE}')::text AS found`);
      expect(rows[0].found).toBeNull();
    } finally {
      await db.close();
    }
  });

  it('removes the database on close', async () => {
    const db = await createTestDatabase({ kind, migrations: false });
    await db.close();
    await db.close(); // a second close is harmless

    if (kind === 'postgres') {
      const name = new URL(db.url).pathname.slice(1);
      const admin = new Client({ connectionString: testServices.databaseUrl });
      await admin.connect();
      try {
        const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        expect(rowCount).toBe(0);
      } finally {
        await admin.end();
      }
    } else {
      const client = new Client({ connectionString: db.url, connectionTimeoutMillis: 2000 });
      await expect(client.connect()).rejects.toThrow();
    }
  });
}
