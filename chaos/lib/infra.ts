/**
 * The box's shared Redis and PostgreSQL, as faults see them: stopped, started, restarted and
 * flushed with the same commands an operator would type. Other test suites use these servers
 * after the chaos run, so `ensureInfrastructureUp` starts whichever a fault left down.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { withClient } from '../../bench/lib/database';
import { sleep } from '../../bench/lib/processes';

const run = promisify(execFile);
const COMMAND_TIMEOUT_MS = 60_000;

export interface InfraOptions {
  /** redis://host:port/db of the chaos run's own Redis database. */
  redisUrl: string;
  adminDatabaseUrl: string;
}

/** The port of the run's Redis (faults restart the server on that port). */
function redisPort(redisUrl: string): string {
  return new URL(redisUrl).port || '6379';
}

/** The start command of the environment's Redis (no persistence: a restart loses every key). */
function redisStartArgs(port: string): string[] {
  return [
    '--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', port, '--save', '', '--appendonly', 'no',
    '--dir', '/var/lib/redis', '--logfile', '/var/log/redis/ci.log',
  ];
}

export async function redisShutdown(redisUrl: string): Promise<void> {
  // `shutdown nosave` closes the connection it came on: redis-cli may exit non-zero, that is fine.
  await run('redis-cli', ['-p', redisPort(redisUrl), 'shutdown', 'nosave'], { timeout: COMMAND_TIMEOUT_MS }).catch(() => undefined);
}

export async function redisStart(redisUrl: string): Promise<void> {
  await run('redis-server', redisStartArgs(redisPort(redisUrl)), { timeout: COMMAND_TIMEOUT_MS });
  await waitFor(() => redisUp(redisUrl), 'Redis to answer PING', 15_000);
}

export async function redisUp(redisUrl: string): Promise<boolean> {
  const result = await run('redis-cli', ['-p', redisPort(redisUrl), 'ping'], { timeout: 5000 }).catch(() => undefined);
  return result?.stdout.trim() === 'PONG';
}

/**
 * `pg_ctlcluster --skip-systemctl-redirect <the one version> main <action>`, or the executable named by
 * CHAOS_PG_CTL (called with `start` or `restart`) when the run uses another PostgreSQL.
 */
export async function postgresCtl(action: 'restart' | 'start'): Promise<void> {
  const custom = process.env.CHAOS_PG_CTL;
  if (custom) {
    await run(custom, [action], { timeout: COMMAND_TIMEOUT_MS });
    return;
  }
  const versions = readdirSync('/etc/postgresql');
  if (versions.length !== 1) throw new Error(`expected one PostgreSQL version under /etc/postgresql, found ${versions.join(', ') || 'none'}`);
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', versions[0], 'main', action], { timeout: COMMAND_TIMEOUT_MS });
}

export async function postgresUp(adminDatabaseUrl: string): Promise<boolean> {
  return withClient(adminDatabaseUrl, async (client) => (await client.query('SELECT 1')).rowCount === 1).catch(() => false);
}

/** Starts Redis and PostgreSQL when a fault (or an interrupted run) left them down. */
export async function ensureInfrastructureUp(options: InfraOptions, log: (line: string) => void): Promise<void> {
  if (!(await redisUp(options.redisUrl))) {
    log('Redis is down: starting it');
    await redisStart(options.redisUrl);
  }
  if (!(await postgresUp(options.adminDatabaseUrl))) {
    log('PostgreSQL is down: starting it');
    await postgresCtl('start').catch((error: Error) => log(`pg_ctlcluster start: ${error.message}`));
    await waitFor(() => postgresUp(options.adminDatabaseUrl), 'PostgreSQL to accept connections', 60_000);
  }
}

export async function waitFor(probe: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}
