/**
 * Runs once before all Jest workers start (they inherit the environment it sets):
 * names this run (its skipped-suites list), checks that the configured services answer, and migrates a
 * template database that each test database is copied from.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { migrate } from '../../core/db/migrate';
import { createPool } from '../../core/db/pool';
import { dropDatabase, TEMPLATE_DATABASE_ENV, withAdminClient, withDatabaseName } from './database';
import { testServices, TEST_RUN_ID_ENV } from './services';

const PING_TIMEOUT_MS = 3000;

export default async function globalSetup(): Promise<void> {
  process.env[TEST_RUN_ID_ENV] = `${process.pid}-${randomBytes(3).toString('hex')}`;

  const unreachable: Array<{ variable: string; problem: string }> = [];
  const { databaseUrl, redisUrl } = testServices;
  if (databaseUrl) {
    const error = await pingPostgres(databaseUrl);
    if (error) unreachable.push({ variable: 'KIUNGO_TEST_DATABASE_URL', problem: `${redact(databaseUrl)} does not answer: ${error}` });
  }
  if (redisUrl) {
    const error = await pingRedis(redisUrl);
    if (error) unreachable.push({ variable: 'KIUNGO_TEST_REDIS_URL', problem: `${redact(redisUrl)} does not answer: ${error}` });
  }
  const lines = unreachable.map(({ variable, problem }) => `${variable}=${problem}`);
  if (unreachable.length > 0 && testServices.required) {
    throw new Error(`KIUNGO_REQUIRE_SERVICES=1 but:\n  ${lines.join('\n  ')}`);
  }
  for (const { variable } of unreachable) {
    // The workers, started after this, then skip those suites (and list them) instead of failing.
    delete process.env[variable];
  }
  if (lines.length > 0) console.warn(`\n[test services] ${lines.join('\n[test services] ')}\n[test services] treated as not configured\n`);

  if (databaseUrl && process.env.KIUNGO_TEST_DATABASE_URL) {
    process.env[TEMPLATE_DATABASE_ENV] = await prepareTemplate(databaseUrl);
  }
}

/** A database migrated once; CREATE DATABASE … TEMPLATE copies it in ~100 ms. */
async function prepareTemplate(adminUrl: string): Promise<string> {
  const name = `kiungo_tpl_${randomBytes(6).toString('hex')}`;
  await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const pool = createPool({ url: withDatabaseName(adminUrl, name), max: 1, applicationName: 'kiungo-test-template' });
  try {
    await migrate(pool, { direction: 'up' });
  } catch (error) {
    await pool.end();
    await dropDatabase(adminUrl, name);
    throw error;
  }
  // No connection may stay open on a template, or CREATE DATABASE … TEMPLATE refuses to copy it.
  await pool.end();
  return name;
}

async function pingPostgres(url: string): Promise<string | undefined> {
  try {
    await withAdminClient(url, (client) => client.query('SELECT 1'));
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

async function pingRedis(url: string): Promise<string | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PING_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The 'error' event carries the cause (ECONNREFUSED…); connect() only says the connection closed.
  let cause: string | undefined;
  redis.on('error', (error: Error) => {
    cause ??= error.message;
  });
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return cause ?? (error instanceof Error ? error.message : String(error));
  } finally {
    redis.disconnect();
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
