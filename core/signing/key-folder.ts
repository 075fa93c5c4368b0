import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicKey } from 'node:crypto';
import { publishKey, type PublishedKey } from './signed-statement';

/**
 * A folder of public keys, one `<keyId>.pem` each: where a retired key stays published after a
 * rotation, and what an auditor keeps beside a folder of seals. Written once per key, never edited.
 */
export function publishToFolder(folder: string, key: PublishedKey): void {
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `${key.keyId}.pem`);
  try {
    readFileSync(path);
    return;
  } catch {
    // not there yet
  }
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, key.publicKeyPem, { mode: 0o644 });
  renameSync(temporary, path);
}

/** Every key of the folder (none when it does not exist); a file that is not an Ed25519 public key is an error naming it. */
export function readKeyFolder(folder: string): PublishedKey[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .filter((name) => name.endsWith('.pem'))
    .sort()
    .map((name) => {
      const path = join(folder, name);
      try {
        const published = publishKey(createPublicKey(readFileSync(path, 'utf8')));
        if (`${published.keyId}.pem` !== name) throw new Error(`its key id is ${published.keyId}`);
        return published;
      } catch (error) {
        throw new Error(`${path} is not a published Ed25519 key: ${(error as Error).message}`);
      }
    });
}
