/**
 * A fresh, migrated database for one test suite (or one test):
 * - with KIUNGO_TEST_DATABASE_URL: a new PostgreSQL database `kiungo_t_<random>`, copied from
 *   the template global-setup migrated once (about 100 ms), dropped WITH (FORCE) on close;
 * - without it: an in-memory PGlite served through the embedded socket server, started from a
 *   snapshot cached in .tmp/ (initdb alone costs ~3 s; loading the snapshot ~0.7 s).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Client, type Pool } from 'pg';
import { defaultMigrationsDir, migrate } from '../../core/db/migrate';
import { readMigrationFiles } from '../../core/db/migration-files';
import { createPool, PG_ERROR, pgErrorCode } from '../../core/db/pool';
import { EMBEDDED_POOL_MAX, startEmbeddedDatabase } from '../../gateway/src/embedded/pglite-server';
import { testServices } from './services';

export interface TestDatabase {
  url: string;
  pool: Pool;
  kind: TestDatabaseKind;
  /** Ends the pool and removes the database. */
  close(): Promise<void>;
}

export type TestDatabaseKind = 'postgres' | 'pglite';

export interface TestDatabaseOptions {
  /** Apply core/db/migrations (default true). */
  migrations?: boolean;
  /** Default: postgres when KIUNGO_TEST_DATABASE_URL is set, else pglite. */
  kind?: TestDatabaseKind;
  /** Default: 5 on PostgreSQL, EMBEDDED_POOL_MAX on PGlite. */
  poolMax?: number;
}

/** Set by global-setup: a database migrated once, copied by CREATE DATABASE … TEMPLATE. */
export const TEMPLATE_DATABASE_ENV = 'KIUNGO_TEST_TEMPLATE_DATABASE';
const TMP_DIR = path.resolve(__dirname, '..', '..', '.tmp');
const SAFE_NAME = /^[a-z0-9_]+$/;

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const migrations = options.migrations ?? true;
  const kind = options.kind ?? (testServices.databaseUrl ? 'postgres' : 'pglite');
  if (kind === 'pglite') return createPgliteDatabase(migrations, options.poolMax ?? EMBEDDED_POOL_MAX);
  if (!testServices.databaseUrl) throw new Error('A PostgreSQL test database needs KIUNGO_TEST_DATABASE_URL');
  return createPostgresDatabase(testServices.databaseUrl, migrations, options.poolMax ?? 5);
}

/** `url` with its database name replaced. */
export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** Runs `work` on a short-lived connection to the server's maintenance database. */
export async function withAdminClient<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl, application_name: 'kiungo-test-admin' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  if (!SAFE_NAME.test(name)) throw new Error(`Refusing to drop database ${JSON.stringify(name)}`);
  await withAdminClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

async function createPostgresDatabase(adminUrl: string, migrations: boolean, poolMax: number): Promise<TestDatabase> {
  const name = `kiungo_t_${randomBytes(6).toString('hex')}`;
  const template = migrations ? process.env[TEMPLATE_DATABASE_ENV] : undefined;
  await withAdminClient(adminUrl, async (client) => {
    if (template && SAFE_NAME.test(template)) {
      try {
        await client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
        return;
      } catch (error) {
        // Someone is connected to the template: migrating from scratch still works.
        if (pgErrorCode(error) !== PG_ERROR.object_in_use) throw error;
      }
    }
    await client.query(`CREATE DATABASE ${name}`);
  });
  const url = withDatabaseName(adminUrl, name);
  const pool = createPool({ url, max: poolMax, applicationName: 'kiungo-test' });
  try {
    // On a copy of the template this only checks that nothing is pending (a few ms).
    if (migrations) await migrate(pool, { direction: 'up' });
  } catch (error) {
    await pool.end();
    await dropDatabase(adminUrl, name);
    throw error;
  }
  return {
    url,
    pool,
    kind: 'postgres',
    close: once(async () => {
      await pool.end();
      await dropDatabase(adminUrl, name);
    }),
  };
}

async function createPgliteDatabase(migrations: boolean, poolMax: number): Promise<TestDatabase> {
  const seed = await pgliteSnapshot(migrations ? 'migrated' : 'empty');
  // Room for the app's own pools in e2e tests, next to this one: with the protocol guard in the
  // server, several connections are safe (see pglite-server.ts).
  const embedded = await startEmbeddedDatabase({ seed, maxConnections: 24 });
  const pool = createPool({ url: embedded.url, max: poolMax, applicationName: 'kiungo-test' });
  try {
    if (migrations) await migrate(pool, { direction: 'up' });
  } catch (error) {
    await pool.end();
    await embedded.close();
    throw error;
  }
  return {
    url: embedded.url,
    pool,
    kind: 'pglite',
    close: once(async () => {
      await pool.end();
      await embedded.close();
    }),
  };
}

const snapshots = new Map<'empty' | 'migrated', Promise<Blob>>();

/**
 * A dump of a fresh PGlite (initdb alone costs ~3 s), with or without all migrations applied,
 * cached on disk under a name derived from the PGlite version and the migrations' checksums.
 */
export function pgliteSnapshot(variant: 'empty' | 'migrated'): Promise<Blob> {
  let snapshot = snapshots.get(variant);
  if (!snapshot) {
    snapshot = buildOrLoadSnapshot(variant);
    snapshots.set(variant, snapshot);
    snapshot.catch(() => snapshots.delete(variant)); // let the next caller try again
  }
  return snapshot;
}

async function buildOrLoadSnapshot(variant: 'empty' | 'migrated'): Promise<Blob> {
  const file = path.join(TMP_DIR, `pglite-${variant}-${await snapshotKey(variant)}.tar`);
  if (existsSync(file)) return new Blob([await readFile(file)]);
  const embedded = await startEmbeddedDatabase();
  try {
    if (variant === 'migrated') {
      const pool = createPool({ url: embedded.url, max: 1, applicationName: 'kiungo-test-template' });
      try {
        await migrate(pool, { direction: 'up' });
      } finally {
        await pool.end();
      }
    }
    const dump = await embedded.dumpDataDir();
    await saveSnapshot(file, `pglite-${variant}-`, dump);
    return dump;
  } finally {
    await embedded.close();
  }
}

async function snapshotKey(variant: 'empty' | 'migrated'): Promise<string> {
  const files = variant === 'migrated' ? await readMigrationFiles(defaultMigrationsDir()) : [];
  const pgliteEntry = require.resolve('@electric-sql/pglite');
  const pgliteVersion = (JSON.parse(await readFile(path.join(pgliteEntry, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  }).version;
  const material = [pgliteVersion, ...files.map((file) => `${file.version}:${file.checksum}`)].join('\n');
  return createHash('sha256').update(material).digest('hex').slice(0, 16);
}

/** Written under a temporary name, then renamed: a parallel worker never reads half a file. */
async function saveSnapshot(file: string, prefix: string, dump: Blob): Promise<void> {
  await mkdir(TMP_DIR, { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
  await rename(partial, file);
  for (const old of readdirSync(TMP_DIR)) {
    const oldPath = path.join(TMP_DIR, old);
    if (old.startsWith(prefix) && old.endsWith('.tar') && oldPath !== file) await rm(oldPath, { force: true });
  }
}

function once(action: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => (result ??= action());
}
