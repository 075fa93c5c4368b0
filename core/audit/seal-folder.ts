import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishToFolder, readKeyFolder } from '../signing/key-folder';
import type { PublishedKey } from '../signing/signed-statement';
import { parseStoredJson } from './json-text';
import { asSeal, sealFileName, type Seal } from './seal';

/**
 * Seals kept outside the database: one JSON file per seal in a folder (and the public keys that
 * signed them in its `keys/`), so that a copy taken at any time convicts a later rewrite of the
 * database and of its seal table together (`npm run audit:verify -- --seals <dir>`).
 */
export class SealFolder {
  constructor(readonly path: string) {}

  get keysPath(): string {
    return join(this.path, 'keys');
  }

  /** Keeps a signing key's public half beside the seals (once per key; never removed on rotation). */
  publishKey(key: PublishedKey): void {
    publishToFolder(this.keysPath, key);
  }

  /** Writes the seal under a temporary name, then renames it into place. */
  write(seal: Seal): string {
    mkdirSync(this.path, { recursive: true });
    const path = join(this.path, sealFileName(seal));
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(seal, null, 2)}\n`, { mode: 0o644 });
    renameSync(temporary, path);
    return path;
  }

  has(seal: Seal): boolean {
    try {
      readFileSync(join(this.path, sealFileName(seal)));
      return true;
    } catch {
      return false;
    }
  }

  /** Every seal in the folder, and the files that are not seals (named, never skipped silently). */
  read(): { seals: Seal[]; unreadable: string[] } {
    let names: string[];
    try {
      names = readdirSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { seals: [], unreadable: [] };
      throw error;
    }
    const seals: Seal[] = [];
    const unreadable: string[] = [];
    for (const name of names.filter((n) => n.startsWith('seal-') && n.endsWith('.json')).sort()) {
      let seal: Seal | undefined;
      try {
        seal = asSeal(parseStoredJson(readFileSync(join(this.path, name), 'utf8')));
      } catch {
        seal = undefined;
      }
      if (seal) seals.push(seal);
      else unreadable.push(name);
    }
    return { seals, unreadable };
  }

  keys(): PublishedKey[] {
    return readKeyFolder(this.keysPath);
  }
}
