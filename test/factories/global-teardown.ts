/**
 * Runs once after all tests: says which suites were skipped for lack of a service (a green run
 * that skipped the integration tests must not look like a full one), drops the template, and fails
 * the run when a log line carried an ID number or a phone (log-leaks.ts).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dropDatabase, TEMPLATE_DATABASE_ENV } from './database';
import { reportLogLeaks } from './log-leaks';
import { skippedSuitesFile, testServices } from './services';

export default async function globalTeardown(): Promise<void> {
  reportSkippedSuites();
  const leaks = reportLogLeaks();
  const template = process.env[TEMPLATE_DATABASE_ENV];
  if (template && testServices.databaseUrl) {
    await dropDatabase(testServices.databaseUrl, template);
    delete process.env[TEMPLATE_DATABASE_ENV];
  }
  // A log line with an ID number or a phone fails the run, whichever test wrote it (log-leaks.ts).
  if (leaks) throw new Error(leaks);
}

function reportSkippedSuites(): void {
  const file = skippedSuitesFile();
  if (!existsSync(file)) return;
  const lines = readFileSync(file, 'utf8').split('\n');
  rmSync(file, { force: true });
  const bySuite = new Map<string, string>();
  for (const line of lines) {
    const [suite, variable] = line.split('\t');
    if (suite) bySuite.set(suite, variable ?? '?');
  }
  if (bySuite.size === 0) return;
  const list = [...bySuite].map(([suite, variable]) => `${suite} (${variable})`).join(', ');
  console.warn(`\nSkipped ${bySuite.size} suite${bySuite.size === 1 ? '' : 's'} for lack of a service: ${list}\n`);
}
