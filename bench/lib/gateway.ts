/**
 * The gateway in production mode, as separate `api` and `worker` processes from the built code,
 * on a fresh PostgreSQL database and its own Redis database.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mintDevToken, type Role } from '../../gateway/src/auth';
import { loadConfig } from '../../gateway/src/config/env.schema';
import { GATEWAY_ENTRY } from './build';
import { flushRedisDb, recreateDatabase, withDatabaseName } from './database';
import { deployedApiNodeOptions } from './deployed-api';
import { freePort, isOk } from './http';
import { probeOf, PROBE_NODE_ARGS, type Probe } from './probe/client';
import { spawnManaged, waitUntil, type ManagedProcess } from './processes';
import { REPO_ROOT } from './repo';

export interface GatewayDeploymentOptions {
  /** postgres:// URL of the server's maintenance database; the bench database is created beside it. */
  adminDatabaseUrl: string;
  databaseName: string;
  /** A whole Redis database for the bench (the queue has no key prefix setting): flushed at start. */
  redisUrl: string;
  /** Extra variables, e.g. `{ NRB_BASE_URL: simulator.url }`. */
  env: Record<string, string>;
  /** Keep the database as it is (a seeded one) instead of dropping and creating it. */
  keepDatabase?: boolean;
}

export interface GatewayProcess {
  readonly role: 'api' | 'worker';
  readonly url: string;
  readonly pid: number;
  readonly process: ManagedProcess;
  /** The statements and Redis commands it sends (bench/lib/probe). */
  readonly probe: Probe;
  stop(): Promise<void>;
}

export interface GatewayDeployment {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** The environment every process of this deployment gets (PORT aside). */
  readonly env: Readonly<Record<string, string>>;
  /** NODE_OPTIONS of every api process unless `start` overrides it: the deployed api's (bench/lib/deployed-api.ts). */
  readonly apiNodeOptions: string;
  /**
   * Starts one more process; resolves once /health/ready answers 200. `entry`: another build's
   * main.js (bench/tools/ab-api.ts runs two builds side by side); default dist/'s.
   */
  start(role: 'api' | 'worker', options?: { nodeArgs?: readonly string[]; env?: Record<string, string>; entry?: string }): Promise<GatewayProcess>;
  /** A development token the api processes accept (same KIUNGO_DATA_DIR); `claims` e.g. an officer's centre. */
  token(role: Role, subject: string, claims?: { centre?: string; agency?: string }): Promise<string>;
  /** Removes the temp data dir (the processes are stopped by their owners or by the bench's cleanup). */
  dispose(): void;
}

export async function createGatewayDeployment(options: GatewayDeploymentOptions): Promise<GatewayDeployment> {
  const databaseUrl = options.keepDatabase
    ? withDatabaseName(options.adminDatabaseUrl, options.databaseName)
    : await recreateDatabase(options.adminDatabaseUrl, options.databaseName);
  await flushRedisDb(options.redisUrl);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kiungo-bench-'));
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: options.redisUrl,
    KIUNGO_DATA_KEY: randomBytes(32).toString('base64'),
    KIUNGO_DEV_TOKENS: '1',
    KIUNGO_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    DB_POOL_MAX: '20',
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    // A load generator is one client sending as fast as it can: the limiter runs (its cost is in
    // the figures) with budgets no scenario reaches.
    KIUNGO_RATE_LIMITS: '*=1000000/s',
    ...options.env,
  };
  const config = loadConfig(env);
  const apiNodeOptions = deployedApiNodeOptions();
  // Added after the deployed ones, for a probe in the api (bench/README.md, "What each api allocates").
  const probe = process.env.BENCH_API_EXTRA_NODE_OPTIONS ?? '';
  const roleEnv = (role: 'api' | 'worker'): Record<string, string> => (role === 'api' && (apiNodeOptions || probe) ? { NODE_OPTIONS: `${apiNodeOptions} ${probe}`.trim() } : {});

  return {
    databaseUrl,
    redisUrl: options.redisUrl,
    env,
    apiNodeOptions,
    start: (role, startOptions = {}) => startGatewayProcess(role, { ...env, ...roleEnv(role), ...startOptions.env }, startOptions.nodeArgs ?? [], startOptions.entry ?? GATEWAY_ENTRY),
    token: (role, subject, claims = {}) => mintDevToken({ role, subject, expiresIn: '2h', ...claims }, config),
    dispose: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function startGatewayProcess(role: 'api' | 'worker', env: Record<string, string>, nodeArgs: readonly string[], entry: string): Promise<GatewayProcess> {
  const port = await freePort();
  // Each process its own metrics port: api and worker share the box.
  const metricsPort = env.KIUNGO_METRICS_PORT ?? String(await freePort());
  const url = `http://127.0.0.1:${port}`;
  const managed = spawnManaged(`gateway ${role} :${port}`, process.execPath, [...PROBE_NODE_ARGS, ...nodeArgs, entry, role], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, PORT: String(port), KIUNGO_METRICS_PORT: metricsPort },
    ipc: true,
  });
  await waitUntil(() => isOk(`${url}/health/ready`), `gateway ${role} ready at ${url}`, { timeoutMs: 60_000, everyMs: 200, process: managed });
  // Nest closes the app on SIGTERM (enableShutdownHooks); give it time to drain the queue worker.
  return { role, url, pid: managed.pid, process: managed, probe: probeOf(managed), stop: () => managed.stop(10_000) };
}
