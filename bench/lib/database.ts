/** PostgreSQL and Redis chores: a fresh bench database, a flushed Redis database, and the checks. */
import IORedis from 'ioredis';
import { Client, Pool } from 'pg';
import { migrate } from '../../core/db/migrate';

const SAFE_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * The databases this bench process has named: their backends are the run's own PostgreSQL in the CPU
 * figures (lib/cpu.ts). A seeded database (`kiungo_bench_stored_…`, `kiungo_bench_audit`, …) is
 * shared by every run on the server, so its name alone does not say whose backend it is: another
 * run seeding or measuring it is a neighbour.
 */
const namedByThisRun = new Set<string>();

/**
 * Forgets the names: called before each scenario, so a seeded database an earlier scenario used
 * (audit-query's, stored's) is a neighbour's again if another run uses it during a later scenario.
 * The run's own `kiungo_bench_run_<pid>`, shared by the scenarios, is told by its name (lib/cpu.ts).
 */
export function forgetDatabaseNames(): void {
  namedByThisRun.clear();
}

/** Whether this process has named the database (and so may be using it). */
export function namedByThisBench(name: string): boolean {
  return namedByThisRun.has(name);
}

export function withDatabaseName(url: string, name: string): string {
  namedByThisRun.add(name);
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** DROP (forcing out leftover sessions of an earlier run) and CREATE; returns the new database's URL. */
export async function recreateDatabase(adminUrl: string, name: string): Promise<string> {
  if (!SAFE_NAME.test(name)) throw new Error(`unsafe database name ${name}`);
  await dropDatabase(adminUrl, name);
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  return withDatabaseName(adminUrl, name);
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  if (!SAFE_NAME.test(name)) throw new Error(`unsafe database name ${name}`);
  await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Whether the server has a database of that name. */
export async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  return withClient(adminUrl, async (client) => (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'kiungo-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function serverVersion(url: string): Promise<string> {
  return withClient(url, async (client) => (await client.query<{ version: string }>('SELECT version()')).rows[0].version);
}

export async function flushRedisDb(url: string): Promise<void> {
  const redis = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

/** Transactions by state; only those in `ids` when given, else those created at or after `since`. */
export async function transactionsByState(url: string, filter: { ids: readonly string[] } | { since: Date }): Promise<Record<string, number>> {
  return withClient(url, async (client) => {
    const { rows } =
      'ids' in filter
        ? await client.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM transactions WHERE id = ANY($1::uuid[]) GROUP BY state', [
            filter.ids,
          ])
        : await client.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM transactions WHERE created_at >= $1 GROUP BY state', [
            filter.since,
          ]);
    return Object.fromEntries(rows.map((row) => [row.state, Number(row.n)]).sort());
  });
}

export function total(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/**
 * A seeded database reused by a later run gets the migrations written since it was seeded (new
 * columns and indexes), so the code measured never meets an older schema than its own.
 */
export async function migrateReused(databaseUrl: string): Promise<void> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1, application_name: 'kiungo-bench-seed' });
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
}
