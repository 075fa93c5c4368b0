/**
 * Reads a migrations folder: `NNNN_name.sql` (up) and `NNNN_name.down.sql` (down).
 * Strict on names, because a misnamed file silently not applied is worse than a loud error.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';

export interface MigrationFile {
  version: number;
  /** The file name without `.sql`, e.g. `0001_transactions`. */
  name: string;
  upPath: string;
  downPath?: string;
  /** sha256 of the up file, line endings normalised so a Windows checkout does not look edited. */
  checksum: string;
}

const UP_FILE = /^(\d+)_([a-z0-9_]+)\.sql$/;
const DOWN_FILE = /^(\d+)_([a-z0-9_]+)\.down\.sql$/;

/**
 * The SQL ships beside this file in the repository, but `tsc` does not copy .sql files into
 * dist/, so a compiled build looks for core/db/migrations in the folders above it (the checkout
 * it was built in).
 */
export function defaultMigrationsDir(): string {
  const beside = path.join(__dirname, 'migrations');
  if (existsSync(beside)) return beside;
  for (let dir = path.dirname(__dirname), depth = 0; depth < 5; dir = path.dirname(dir), depth++) {
    const candidate = path.join(dir, 'core', 'db', 'migrations');
    if (candidate !== beside && existsSync(candidate)) return candidate;
  }
  return beside;
}

/** Migrations sorted by version; an absent folder means no migrations. */
export async function readMigrationFiles(dir: string): Promise<MigrationFile[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const ups = new Map<number, MigrationFile>();
  const downs = new Map<number, string>();
  for (const entry of entries.sort()) {
    if (!entry.endsWith('.sql')) continue;
    const down = DOWN_FILE.exec(entry);
    const up = down ? null : UP_FILE.exec(entry);
    const match = down ?? up;
    if (!match) {
      throw new Error(`Migration file ${path.join(dir, entry)} is not named NNNN_name.sql or NNNN_name.down.sql`);
    }
    const version = Number(match[1]);
    if (down) {
      if (downs.has(version)) throw new Error(`Two down migrations for version ${version} in ${dir}`);
      downs.set(version, path.join(dir, entry));
      continue;
    }
    const existing = ups.get(version);
    if (existing) throw new Error(`Two migrations for version ${version}: ${existing.name}.sql and ${entry}`);
    const upPath = path.join(dir, entry);
    ups.set(version, { version, name: entry.slice(0, -'.sql'.length), upPath, checksum: await checksumOf(upPath) });
  }
  for (const [version, downPath] of downs) {
    const up = ups.get(version);
    if (!up) throw new Error(`Down migration ${downPath} has no up migration`);
    const expected = path.join(dir, `${up.name}.down.sql`);
    if (downPath !== expected) throw new Error(`Down migration ${downPath} should be named ${path.basename(expected)}`);
    up.downPath = downPath;
  }
  return [...ups.values()].sort((a, b) => a.version - b.version);
}

export async function readSql(file: string): Promise<string> {
  return readFile(file, 'utf8');
}

async function checksumOf(file: string): Promise<string> {
  const text = (await readFile(file, 'utf8')).replace(/\r\n/g, '\n');
  return createHash('sha256').update(text).digest('hex');
}
