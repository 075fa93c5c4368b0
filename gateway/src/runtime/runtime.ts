import type { Pool } from 'pg';
import type { Catalogue } from '../../../contracts/src/catalogue';
import type { AgencyRegistry } from '../../../adapters/registry';
import type { AuditLog } from '../../../core/audit/audit-log';
import type { RetryQueue } from '../../../core/retry-queue/retry-queue.port';
import type { Clock } from '../../../core/shared/clock';
import type { PersonalDataVault } from '../../../core/shared/personal-data';
import type { AppConfig, ProcessRole } from '../config/app-config';
import type { RateLimiter } from '../http/rate-limiter';
import type { KiungoMetrics } from '../metrics/kiungo-metrics';

/**
 * Everything a Kiungo process runs on, built once before Nest starts (see build-runtime.ts).
 * RuntimeModule hands its parts to the feature modules one by one, each under its own token;
 * closing it releases every connection and server it opened.
 */
export interface KiungoRuntime {
  readonly config: AppConfig;
  readonly role: ProcessRole;
  readonly pool: Pool;
  readonly catalogue: Catalogue;
  readonly agencies: AgencyRegistry;
  readonly retries: RetryQueue;
  readonly audit: AuditLog;
  readonly vault: PersonalDataVault;
  readonly clock: Clock;
  /** The Prometheus registry, already fed by the agencies and the pool (gateway/src/metrics). */
  readonly metrics: KiungoMetrics;
  /** True on a real PostgreSQL: hot queries run as named prepared statements. False on PGlite. */
  readonly preparedStatements: boolean;
  /** Request budgets per client: in Redis when REDIS_URL is set (shared by replicas), else in memory. */
  readonly rateLimiter: RateLimiter;
  /** Present when REDIS_URL is set; used by readiness. */
  readonly redisPing?: () => Promise<void>;
  /** Agency code → endpoint the adapters use instead of the agency file's (a URL, or a file-drop agency's folder). */
  readonly endpointOverrides: Readonly<Record<string, string>>;
  /** What embedded mode started beside the gateway (demo agencies), for the start-up banner. */
  readonly demo?: { agencies: Record<string, string> };
  close(): Promise<void>;
}
