/**
 * Which real services this test run may use, from the environment:
 *   KIUNGO_TEST_DATABASE_URL  a PostgreSQL the tests may create databases in
 *   KIUNGO_TEST_REDIS_URL     a Redis the tests may use (with unique key prefixes)
 *   KIUNGO_REQUIRE_SERVICES   '1' in CI: a missing service fails the suite instead of skipping it
 * A skipped suite is written to a list (.tmp/jest-skipped-<run>.txt) that global-teardown
 * prints, so that a green run that silently skipped the integration tests is visible.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';

export interface TestServices {
  databaseUrl?: string;
  redisUrl?: string;
  /** When true, a suite needing a missing service fails instead of being skipped. */
  required: boolean;
}

export const testServices: Readonly<TestServices> = Object.freeze({
  databaseUrl: nonEmpty(process.env.KIUNGO_TEST_DATABASE_URL),
  redisUrl: nonEmpty(process.env.KIUNGO_TEST_REDIS_URL),
  required: process.env.KIUNGO_REQUIRE_SERVICES === '1',
});

/** Set by global-setup, so that two Jest runs in one checkout keep separate skip lists. */
export const TEST_RUN_ID_ENV = 'KIUNGO_TEST_RUN_ID';

/** One line per skipped suite: `<suite name>\t<missing variable>`. */
export function skippedSuitesFile(runId = process.env[TEST_RUN_ID_ENV]): string {
  return path.resolve(__dirname, '..', '..', '.tmp', runId ? `jest-skipped-${runId}.txt` : 'jest-skipped.txt');
}

/** A suite that needs a real PostgreSQL (PGlite is not enough: locking, several sessions…). */
export function describeWithPostgres(name: string, suite: (databaseUrl: string) => void): void {
  describeWithService(name, 'KIUNGO_TEST_DATABASE_URL', testServices.databaseUrl, suite);
}

/** A suite that needs a real Redis. */
export function describeWithRedis(name: string, suite: (redisUrl: string) => void): void {
  describeWithService(name, 'KIUNGO_TEST_REDIS_URL', testServices.redisUrl, suite);
}

/**
 * A suite that needs `variable` (a service URL, a binary…): run with `url` when it is defined,
 * else skipped and listed, or failed under KIUNGO_REQUIRE_SERVICES=1.
 */
export function describeWithService(
  name: string,
  variable: string,
  url: string | undefined,
  suite: (url: string) => void,
): void {
  if (url !== undefined) {
    describe(name, () => suite(url));
    return;
  }
  if (testServices.required) {
    describe(name, () => {
      it(`needs ${variable}`, () => {
        throw new Error(`${variable} is not set, and KIUNGO_REQUIRE_SERVICES=1 forbids skipping "${name}"`);
      });
    });
    return;
  }
  recordSkippedSuite(name, variable);
  describe.skip(name, () => suite(''));
}

function recordSkippedSuite(name: string, variable: string): void {
  const file = skippedSuitesFile();
  mkdirSync(path.dirname(file), { recursive: true });
  // One short append per line: O_APPEND keeps lines from parallel Jest workers whole.
  appendFileSync(file, `${name.replace(/[\t\n]/g, ' ')}\t${variable}\n`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
