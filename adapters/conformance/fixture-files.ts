/**
 * The fixtures of one agency folder, read the way contracts/src/fixtures.spec.ts reads the
 * catalogue's: `fixtures/<message>/{ok,not-ok}/*.json` and `expected-errors.json` beside them,
 * where `<message>` is the schema file's name without `.v<N>.json`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Fixture {
  name: string;
  /** Path relative to the agency folder, for messages. */
  file: string;
  value?: unknown;
  /** Set when the file is not JSON. */
  unreadable?: string;
}

export interface Expectation {
  field: string;
  message: string;
}

/** `https://kiungo.dev/schemas/kra/kra-pin-registration.request.v1.json` → `kra-pin-registration.request` */
export function messageName(schemaId: string): string {
  return path.posix.basename(new URL(schemaId).pathname).replace(/\.v\d+\.json$/, '');
}

export function readFixtures(agencyFolder: string, message: string, which: 'ok' | 'not-ok'): Fixture[] {
  const dir = path.join(agencyFolder, 'fixtures', message, which);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const file = path.posix.join('fixtures', message, which, name);
      try {
        return { name, file, value: JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as unknown };
      } catch (error) {
        return { name, file, unreadable: (error as Error).message };
      }
    });
}

export function readExpectations(agencyFolder: string, message: string): Record<string, Expectation> | undefined {
  const file = path.join(agencyFolder, 'fixtures', message, 'expected-errors.json');
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Expectation>;
  } catch {
    return undefined;
  }
}
