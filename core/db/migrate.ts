/**
 * A small runner for plain SQL migrations (STYLE.md habit 8). Each migration runs in its own
 * transaction together with its bookkeeping row, so a failed migration leaves nothing behind.
 *
 * Concurrency: the api and the worker may start at once. On PostgreSQL a session advisory lock
 * makes the second runner wait for the first. PGlite has one session shared by every
 * connection, so there the lock never blocks; what keeps it correct there is that PGlite runs
 * whole transactions one after another and each migration re-checks, inside its transaction,
 * whether another runner applied it meanwhile.
 */
import * as path from 'node:path';
import type { Pool, PoolClient } from 'pg';
import { defaultMigrationsDir, readMigrationFiles, readSql, type MigrationFile } from './migration-files';

export { defaultMigrationsDir } from './migration-files';

export const MIGRATIONS_TABLE = 'kiungo_migrations';
/** Arbitrary but fixed: every Kiungo process must agree on it. */
const MIGRATION_LOCK_KEY = '7411024001';

export type MigrationDirection = 'up' | 'down';

export interface MigrateOptions {
  direction?: MigrationDirection;
  /** How many migrations to apply or revert. Default: all pending when up, one when down. */
  steps?: number;
  /** Default: core/db/migrations. */
  dir?: string;
  log?: (line: string) => void;
}

export interface MigrationRun {
  version: number;
  name: string;
  direction: MigrationDirection;
  durationMs: number;
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

/** Applies (or reverts) migrations and returns those this call applied (or reverted), in order. */
export async function migrate(pool: Pool, options: MigrateOptions = {}): Promise<MigrationRun[]> {
  const direction = options.direction ?? 'up';
  const steps = options.steps ?? (direction === 'up' ? Number.POSITIVE_INFINITY : 1);
  if (!(steps >= 0)) throw new Error(`steps must be a non-negative number, got ${options.steps}`);
  const dir = options.dir ?? defaultMigrationsDir();
  const log = options.log ?? (() => undefined);

  const files = await readMigrationFiles(dir);
  const client = await pool.connect();
  let broken: Error | undefined;
  // See runOnce in pool.ts: a connection dying while checked out must not crash the process.
  const onConnectionError = (error: Error): void => {
    broken = error;
  };
  client.on('error', onConnectionError);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await ensureMigrationsTable(client);
      const applied = await readApplied(client);
      checkAppliedAgainstFiles(applied, files);
      const known = new Set(files.map((file) => file.version));
      for (const row of applied.values()) {
        // Typical after rolling the code back: the database is ahead of it.
        if (!known.has(row.version)) log(`applied migration ${row.name} has no file in ${dir}`);
      }
      return direction === 'up'
        ? await applyUp(client, pending(files, applied).slice(0, steps), log)
        : await applyDown(client, revertible(files, applied).slice(0, steps), dir, log);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch((error: Error) => {
        broken = error;
      });
    }
  } finally {
    client.removeListener('error', onConnectionError);
    client.release(broken);
  }
}

async function ensureMigrationsTable(client: PoolClient): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
}

async function readApplied(client: PoolClient): Promise<Map<number, AppliedRow>> {
  const { rows } = await client.query<AppliedRow>(`SELECT version, name, checksum FROM ${MIGRATIONS_TABLE}`);
  return new Map(rows.map((row) => [row.version, row]));
}

/** An applied migration whose file was edited means databases now differ in ways nobody sees. */
function checkAppliedAgainstFiles(applied: Map<number, AppliedRow>, files: MigrationFile[]): void {
  for (const file of files) {
    const row = applied.get(file.version);
    if (!row) continue;
    if (row.name !== file.name) {
      throw new Error(`Migration version ${file.version} was applied as ${row.name} but the file is now ${file.upPath}`);
    }
    if (row.checksum !== file.checksum) {
      throw new Error(
        `Migration ${file.upPath} was changed after it was applied (checksum ${file.checksum.slice(0, 12)}, ` +
          `applied ${row.checksum.slice(0, 12)}). Write a new migration instead of editing an applied one.`,
      );
    }
  }
}

function pending(files: MigrationFile[], applied: Map<number, AppliedRow>): MigrationFile[] {
  return files.filter((file) => !applied.has(file.version));
}

/** Newest first. An applied version with no file at all cannot be reverted. */
function revertible(files: MigrationFile[], applied: Map<number, AppliedRow>): Array<MigrationFile | AppliedRow> {
  const byVersion = new Map(files.map((file) => [file.version, file]));
  return [...applied.values()]
    .sort((a, b) => b.version - a.version)
    .map((row) => byVersion.get(row.version) ?? row);
}

async function applyUp(client: PoolClient, todo: MigrationFile[], log: (line: string) => void): Promise<MigrationRun[]> {
  const runs: MigrationRun[] = [];
  for (const file of todo) {
    const sql = await readSql(file.upPath);
    const started = Date.now();
    const done = await inTransaction(client, async () => {
      const again = await client.query(`SELECT 1 FROM ${MIGRATIONS_TABLE} WHERE version = $1`, [file.version]);
      if (again.rowCount) return false;
      await runMigrationSql(client, sql, file.upPath);
      await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, checksum) VALUES ($1, $2, $3)`, [
        file.version,
        file.name,
        file.checksum,
      ]);
      return true;
    });
    if (!done) continue;
    const run: MigrationRun = { version: file.version, name: file.name, direction: 'up', durationMs: Date.now() - started };
    log(`applied ${file.name} (${run.durationMs} ms)`);
    runs.push(run);
  }
  return runs;
}

async function applyDown(
  client: PoolClient,
  todo: Array<MigrationFile | AppliedRow>,
  dir: string,
  log: (line: string) => void,
): Promise<MigrationRun[]> {
  // Check every step before reverting any, so a missing file does not leave the job half done.
  const steps = todo.map((item) => {
    if (!('downPath' in item) || !item.downPath) {
      throw new Error(`Cannot revert migration ${item.name}: missing down migration ${path.join(dir, `${item.name}.down.sql`)}`);
    }
    return { version: item.version, name: item.name, downPath: item.downPath };
  });
  const runs: MigrationRun[] = [];
  for (const step of steps) {
    const sql = await readSql(step.downPath);
    const started = Date.now();
    const done = await inTransaction(client, async () => {
      const still = await client.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE version = $1`, [step.version]);
      if (!still.rowCount) return false;
      await runMigrationSql(client, sql, step.downPath);
      return true;
    });
    if (!done) continue;
    const run: MigrationRun = { version: step.version, name: step.name, direction: 'down', durationMs: Date.now() - started };
    log(`reverted ${step.name} (${run.durationMs} ms)`);
    runs.push(run);
  }
  return runs;
}

async function inTransaction<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/** Sent without parameters, so PostgreSQL accepts several statements in one file. */
async function runMigrationSql(client: PoolClient, sql: string, file: string): Promise<void> {
  try {
    await client.query(sql);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`Migration ${file} failed: ${message}`, { cause: error });
  }
}
