import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Absolute path of the demo catalogue (contracts/catalogue), from the sources (contracts/src)
 * or from a build (dist/contracts/src), which does not copy the catalogue folder.
 */
export function defaultCatalogueDir(): string {
  const candidates = [path.resolve(__dirname, '..', 'catalogue'), path.resolve(__dirname, '..', '..', '..', 'contracts', 'catalogue')];
  return candidates.find(isDirectory) ?? candidates[0];
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
