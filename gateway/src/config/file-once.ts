import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Reads a small secret file, creating it first when it does not exist. Used for what embedded
 * mode generates on first start (the data key, the development signing key).
 *
 * Two processes may start at once (api and worker, parallel test workers), so creation must not
 * let one overwrite the other's secret or read a half-written file: the content is written
 * under a temporary name and hard-linked into place, which fails if the file already exists.
 */
export function readOrCreateSecretFile(path: string, create: () => string): { content: string; created: boolean } {
  const existing = readIfExists(path);
  if (existing !== undefined) return { content: existing, created: false };

  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, create(), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, path);
    // The umask may have narrowed the mode, never widened it; make it exact anyway.
    chmodSync(path, 0o600);
    return { content: readFileSync(path, 'utf8'), created: true };
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    return { content: readFileSync(path, 'utf8'), created: false };
  } finally {
    unlinkSync(temporary);
  }
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}
