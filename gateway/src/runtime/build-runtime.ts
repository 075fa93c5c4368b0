import { Logger } from '@nestjs/common';
import IORedis from 'ioredis';
import type { Pool } from 'pg';
import { AgencyRegistry } from '../../../adapters/registry';
import { loadCatalogue } from '../../../contracts/src/catalogue.loader';
import { AuditLog } from '../../../core/audit/audit-log';
import { migrate } from '../../../core/db/migrate';
import { createPool, isEmbeddedEngine } from '../../../core/db/pool';
import { SystemClock, type Clock } from '../../../core/shared/clock';
import { PersonalDataVault } from '../../../core/shared/personal-data';
import { agencyEnvironment, type AppConfig, type ProcessRole } from '../config/env.schema';
import { KiungoMetrics } from '../metrics/kiungo-metrics';
import { currentTraceparent } from '../tracing/tracing';
import { createRetryQueue } from '../retry-queue/create-retry-queue';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from '../http/rate-limiter';
import type { KiungoRuntime } from './runtime';
import { EMBEDDED_POOL_MAX, startEmbeddedDatabase } from '../embedded/pglite-server';

export interface RuntimeOverrides {
  /** Agency code → base URL (tests point agencies at their simulators). */
  endpointOverrides?: Record<string, string>;
  clock?: Clock;
  /** Start in-process simulators for the catalogue's REST agencies (embedded demo). Default: in embedded mode. */
  demoAgencies?: boolean;
  /** Redis key prefix for the queue (tests isolate runs). */
  queuePrefix?: string;
}

/**
 * Builds everything a process runs on, in dependency order, and undoes it in reverse on close.
 * Fails fast: a bad catalogue, an unreachable database or a failed migration stops start-up with
 * a message that names what is wrong.
 */
export async function buildRuntime(config: AppConfig, role: ProcessRole, overrides: RuntimeOverrides = {}): Promise<KiungoRuntime> {
  const logger = new Logger('Runtime');
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch((error: Error) => logger.warn(`while closing: ${error.message}`));
    closers.length = 0;
  };

  try {
    const catalogue = loadCatalogue(config.catalogueDir);

    let databaseUrl = config.databaseUrl;
    let poolMax = config.dbPoolMax;
    // The embedded PGlite is one session whatever the connection: nothing to gain from replacing them.
    let lifetime = config.dbConnectionLifetimeSeconds;
    if (!databaseUrl) {
      const embedded = await startEmbeddedDatabase({ dataDir: config.dataDir });
      closers.push(() => embedded.close());
      databaseUrl = embedded.url;
      poolMax = EMBEDDED_POOL_MAX;
      lifetime = 0;
    }
    const pool: Pool = createPool({ url: databaseUrl, max: poolMax, applicationName: `kiungo-${role}`, maxLifetimeSeconds: lifetime });
    closers.push(() => pool.end());
    await migrate(pool, { direction: 'up' });
    // PGlite serves every pooled connection from one session, where a statement prepared on one
    // connection collides with the same name on another: prepare only on a real PostgreSQL.
    const preparedStatements = !(await isEmbeddedEngine(pool));
    const audit = await AuditLog.open(pool);

    let endpointOverrides = overrides.endpointOverrides;
    let demo: KiungoRuntime['demo'];
    if (overrides.demoAgencies ?? config.mode === 'embedded') {
      // Loaded only here: the simulators (a SOAP server with node-soap, a REST and a file-drop agency) are the demo's, never production's.
      const { startDemoAgencies } = await import('../embedded/demo-agencies');
      const agencies = await startDemoAgencies(catalogue.agencies, { dataDir: config.dataDir, env: agencyEnvironment });
      closers.push(() => agencies.close());
      endpointOverrides = { ...agencies.endpoints, ...endpointOverrides };
      demo = { agencies: agencies.endpoints };
    }
    const agencies = new AgencyRegistry(catalogue.agencies, { endpointOverrides, env: agencyEnvironment, traceparent: currentTraceparent });
    closers.push(() => agencies.close());
    const proxied = Object.entries(agencies.egressProxies());
    if (proxied.length > 0) logger.log(`agencies reached through an egress proxy: ${proxied.map(([code, proxy]) => `${code} via ${proxy}`).join(', ')}`);
    const metrics = new KiungoMetrics(role, config.metricsPort !== null);
    metrics.bindAgencies(agencies);
    metrics.bindPool(pool, poolMax);
    closers.push(async () => metrics.close());

    const retries = createRetryQueue({ redisUrl: config.redisUrl, prefix: overrides.queuePrefix ?? config.queuePrefix, logger: new Logger('RetryQueue') });
    closers.push(() => retries.close());

    let redisPing: (() => Promise<void>) | undefined;
    let rateLimiter: RateLimiter = new MemoryRateLimiter();
    if (config.redisUrl) {
      const redis = new IORedis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
      redis.on('error', () => undefined); // readiness reports it; no unhandled error events
      await redis.connect().catch(() => undefined);
      closers.push(async () => redis.disconnect());
      redisPing = async () => {
        await redis.ping();
      };
      // Every replica of one deployment (one queue prefix) counts against the same budgets.
      rateLimiter = new RedisRateLimiter(redis, `${overrides.queuePrefix ?? 'kiungo'}:rate-limit`);
    }

    return {
      config,
      role,
      pool,
      catalogue,
      agencies,
      retries,
      audit,
      vault: new PersonalDataVault(config.dataKey),
      clock: overrides.clock ?? new SystemClock(),
      metrics,
      redisPing,
      rateLimiter,
      preparedStatements,
      endpointOverrides: { ...endpointOverrides },
      demo,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
