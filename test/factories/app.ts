import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../../gateway/src/app.module';
import { mintDevToken, type Role } from '../../gateway/src/auth';
import { loadConfig, type ProcessRole } from '../../gateway/src/config/env.schema';
import { MetricsServer } from '../../gateway/src/metrics/metrics-server';
import { createHttpApp } from '../../gateway/src/platform';
import { buildRuntime } from '../../gateway/src/runtime/build-runtime';
import type { KiungoRuntime } from '../../gateway/src/runtime/runtime';
import type { Clock } from '../../core/shared/clock';
import { createRootLogger } from '../../gateway/src/logging/logger';
import { UNLIMITED_RATE } from './gateway-process';
import { leakCheckingDestination } from './log-leaks';
import { checkResponsesAgainstOpenApi } from './response-contract';

export const FAST_CATALOGUE = path.resolve(__dirname, '..', 'fixtures', 'catalogue-fast');

export interface TestApp {
  url: string;
  runtime: KiungoRuntime;
  app: NestFastifyApplication;
  /** http://127.0.0.1:<port>/metrics: the app's Prometheus endpoint (KIUNGO_METRICS_PORT, a free port unless `env` names one). */
  metricsUrl(): string;
  token(role: Role, extra?: { centre?: string; agency?: string; subject?: string; expiresIn?: string | number }): Promise<string>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  databaseUrl: string;
  catalogueDir?: string;
  endpointOverrides?: Record<string, string>;
  role?: ProcessRole;
  redisUrl?: string;
  /** Same data key and dev signing key across restarts of "the same" deployment. */
  dataDir?: string;
  dataKey?: string;
  sweepIntervalMs?: number;
  /** Time for the whole app (a fixed or settable clock for scripted days). Default: the system clock. */
  clock?: Clock;
  /** Redis key prefix of the queue and the rate limits: replicas of one deployment share it. Default: one per app. */
  queuePrefix?: string;
  /** More environment variables for loadConfig (e.g. KIUNGO_USSD_SECRET). */
  env?: Record<string, string>;
}

/** The real gateway (api + worker unless told otherwise) on a real database, listening on a free port. */
export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'kiungo-app-'));
  const ownsDataDir = !options.dataDir;
  const config = loadConfig({
    DATABASE_URL: options.databaseUrl,
    KIUNGO_DEV_TOKENS: '1',
    KIUNGO_DATA_KEY: options.dataKey ?? randomBytes(32).toString('base64'),
    KIUNGO_DATA_DIR: dataDir,
    KIUNGO_CATALOGUE_DIR: options.catalogueDir ?? FAST_CATALOGUE,
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    KIUNGO_SWEEP_INTERVAL_MS: String(options.sweepIntervalMs ?? 300),
    KIUNGO_METRICS_PORT: '0',
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    // Suites send many requests with one token; the limits themselves are tested with their own.
    KIUNGO_RATE_LIMITS: UNLIMITED_RATE,
    ...options.env,
  });
  const queuePrefix = options.queuePrefix ?? `kiungo-test-${randomUUID().slice(0, 8)}`;
  const runtime = await buildRuntime(config, options.role ?? 'all', {
    endpointOverrides: options.endpointOverrides,
    demoAgencies: false,
    queuePrefix,
    clock: options.clock,
  });
  // Every answer is checked against the OpenAPI document (response-contract.ts).
  // Logged at every level, each line checked for personal data (log-leaks.ts); nothing is printed.
  const logger = createRootLogger('trace', leakCheckingDestination());
  const app = await createHttpApp(AppModule.forRuntime(runtime, { logger }), config, { configure: checkResponsesAgainstOpenApi });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    runtime,
    app,
    metricsUrl: () => `http://127.0.0.1:${app.get(MetricsServer, { strict: false }).port()}/metrics`,
    token: (role, extra = {}) => mintDevToken({ role, subject: extra.subject ?? `test-${role}`, ...extra }, config),
    close: async () => {
      await app.close();
      if (options.redisUrl) await deleteKeys(options.redisUrl, `${queuePrefix}:*`);
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Leaves Redis as the test found it. */
async function deleteKeys(redisUrl: string, pattern: string): Promise<void> {
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export { eventually } from './eventually';
