import type { AlertsConfig } from './alerts-config';
/**
 * The one typed, frozen configuration object every part of the gateway reads. It is built once
 * at boot by `loadConfig()` (env.schema.ts) and handed to Nest as `APP_CONFIG`; nothing else
 * reads `process.env`.
 */

import type { Role } from '../../../core/authorization/roles';

/** `embedded` when DATABASE_URL is absent (PGlite, in-process queues, dev signing key); otherwise `production`. */
export type AppMode = 'embedded' | 'production';

/** Which half of Kiungo this process runs; `all` is both (embedded mode's default). */
export const PROCESS_ROLES = ['all', 'api', 'worker'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

/** Ordered from most to least verbose; `silent` turns logging off (tests). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface AppConfig {
  readonly mode: AppMode;
  /** PORT */
  readonly port: number;
  /** HOST */
  readonly host: string;
  /** DATABASE_URL; undefined means the embedded PGlite database under `dataDir`. */
  readonly databaseUrl?: string;
  /** DB_POOL_MAX */
  readonly dbPoolMax: number;
  /**
   * DB_CONNECTION_LIFETIME_S: a connection is replaced once this old (0: never). Each connection
   * keeps its prepared statements' plans for its life, and a plan made while a table was small can
   * walk the whole table once it is large; a bounded life bounds how long such a plan serves.
   */
  readonly dbConnectionLifetimeSeconds: number;
  /** REDIS_URL; undefined means in-process queue and event drivers. */
  readonly redisUrl?: string;
  /** OIDC_ISSUER_URL; undefined means tokens are signed by the development key in `dataDir`. */
  readonly oidcIssuerUrl?: string;
  /** OIDC_AUDIENCE */
  readonly oidcAudience: string;
  /** OIDC_JWKS_URL; overrides the discovered `jwks_uri`. */
  readonly oidcJwksUrl?: string;
  /** KIUNGO_DATA_DIR, absolute. */
  readonly dataDir: string;
  /** KIUNGO_CATALOGUE_DIR, absolute. */
  readonly catalogueDir: string;
  /** KIUNGO_DATA_KEY decoded (32 bytes): seals national IDs and phone numbers at rest. Never log it. */
  readonly dataKey: Buffer;
  /** Where the data key came from: the environment, or generated/read in `dataDir` (embedded only). */
  readonly dataKeySource: 'env' | 'data-dir';
  /** LOG_LEVEL */
  readonly logLevel: LogLevel;
  /** KIUNGO_BODY_LIMIT_BYTES */
  readonly bodyLimitBytes: number;
  /** KIUNGO_SWEEP_INTERVAL_MS */
  readonly sweepIntervalMs: number;
  /** KIUNGO_SMS_DRIVER and AT_*: how SMS leave Kiungo. */
  readonly sms: SmsConfig;
  /** KIUNGO_SEED_CENTRES: insert the demo centres at start when missing. */
  readonly seedDemoCentres: boolean;
  /** KIUNGO_BOOKING_JOBS_INTERVAL_MS: how often the worker releases no-shows and sends reminders. */
  readonly bookingJobsIntervalMs: number;
  /** KIUNGO_METRICS_PORT: Prometheus's own port (0: any free one); null (`off`): no metrics at all. */
  readonly metricsPort: number | null;
  /** KIUNGO_QUEUE_PREFIX: the retry queue's Redis key prefix; undefined: the driver's default. */
  readonly queuePrefix?: string;
  /** KIUNGO_OUTAGE_WATCH_INTERVAL_MS: how often the worker compares agencies' modes with the outages on the hall boards. */
  readonly outageWatchIntervalMs: number;
  /** KIUNGO_USSD_SECRET: guards the Africa's Talking USSD callback (POST /v1/channels/ussd?key=…). */
  readonly ussd: UssdConfig;
  /** KIUNGO_SEAL_*: the audit seals (audit-config.ts). */
  readonly audit: AuditConfig;
  /** KIUNGO_ALERT_*: the operations room's alerts (alerts-config.ts). */
  readonly alerts: AlertsConfig;
  /** KIUNGO_RATE_LIMITS, KIUNGO_BOARD_STREAMS_PER_CLIENT, KIUNGO_HTTP_*: rate limits and server timeouts (abuse-config.ts). */
  readonly abuse: AbuseConfig;
  /** KIUNGO_RETENTION_*: how long personal data is kept (core/privacy). */
  readonly retention: { readonly defaultDays: number; readonly intervalMs: number };
  /** KIUNGO_RECEIPT_*: the key that signs citizens' receipts (receipt-config.ts). */
  readonly receipts: ReceiptConfig;
}

export interface ReceiptConfig {
  /** The Ed25519 receipt key (PKCS#8 PEM or base64 DER). Undefined: receipts carry no signed QR code. Never log it. */
  readonly signingKey?: string;
  readonly keySource: 'env' | 'file' | 'data-dir' | 'none';
  /** KIUNGO_RECEIPT_KEY_DIR, absolute: every receipt key's public half, kept published after a rotation. */
  readonly keyDir: string;
  /** How a citizen follows an application, printed on the receipt: KIUNGO_USSD_CODE (default `*191*9#`) and KIUNGO_SMS_NUMBER (the short code inbound SMS reach). */
  readonly followUp: { readonly ussdCode: string; readonly smsNumber: string | null };
}

/** A token bucket: `perSecond` tokens flow in, at most `burst` are kept. */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

/** A role's limit, `default` for a token holding none of the listed roles, `public` per IP, `phone` per USSD phone. */
export type RateLimitKey = Role | 'default' | 'public' | 'phone';

export interface AbuseConfig {
  /** null: rate limiting is off (KIUNGO_RATE_LIMITS=off). */
  readonly rateLimits: Readonly<Record<RateLimitKey, RateLimit>> | null;
  readonly boardStreamsPerClient: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxUrlBytes: number;
}

export interface AuditConfig {
  /** The Ed25519 seal key (PKCS#8 PEM or base64 DER). Undefined: sealing is off (production without a key). Never log it. */
  readonly sealKey?: string;
  readonly sealKeySource: 'env' | 'file' | 'data-dir' | 'none';
  /** KIUNGO_SEAL_DIR, absolute: seals and the public keys that signed them, outside the database. */
  readonly sealDir: string;
  /** KIUNGO_SEAL_INTERVAL_MS */
  readonly sealIntervalMs: number;
  /** KIUNGO_AUDIT_VERIFY_WORKERS: threads verify walks the chains in. */
  readonly verifyWorkers: number;
}

/**
 * `secret` undefined: the USSD channel is off (production without KIUNGO_USSD_SECRET). In embedded
 * mode an unset secret is generated once into KIUNGO_DATA_DIR/ussd-secret and printed at start.
 */
export interface UssdConfig {
  readonly secret?: string;
  readonly source: 'env' | 'data-dir' | 'none';
}

/** `outbox`: recorded in the database only (embedded, tests); `africastalking`: sent through the AT bulk SMS API. */
export type SmsConfig =
  | { readonly driver: 'outbox' }
  | { readonly driver: 'africastalking'; readonly url: string; readonly username: string; readonly apiKey: string; readonly senderId?: string };

/** Nest injection token for the AppConfig: `@Inject(APP_CONFIG) config: AppConfig`. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** The configuration as it may be printed (start-up banner): secrets masked. */
export function describeConfig(config: AppConfig): Record<string, unknown> {
  return {
    mode: config.mode,
    port: config.port,
    host: config.host,
    databaseUrl: config.databaseUrl === undefined ? undefined : maskUrlCredentials(config.databaseUrl),
    dbPoolMax: config.dbPoolMax,
    dbConnectionLifetimeSeconds: config.dbConnectionLifetimeSeconds,
    redisUrl: config.redisUrl === undefined ? undefined : maskUrlCredentials(config.redisUrl),
    oidcIssuerUrl: config.oidcIssuerUrl,
    oidcAudience: config.oidcAudience,
    oidcJwksUrl: config.oidcJwksUrl,
    dataDir: config.dataDir,
    catalogueDir: config.catalogueDir,
    dataKey: `[redacted, from ${config.dataKeySource}]`,
    logLevel: config.logLevel,
    bodyLimitBytes: config.bodyLimitBytes,
    sweepIntervalMs: config.sweepIntervalMs,
    metricsPort: config.metricsPort,
    ussdSecret: config.ussd.secret === undefined ? 'unset (USSD channel off)' : `[redacted, from ${config.ussd.source}]`,
    sealKey: config.audit.sealKey === undefined ? 'unset (audit sealing off)' : `[redacted, from ${config.audit.sealKeySource}]`,
    sealDir: config.audit.sealDir,
    sealIntervalMs: config.audit.sealIntervalMs,
    rateLimits: config.abuse.rateLimits ?? 'off',
    boardStreamsPerClient: config.abuse.boardStreamsPerClient,
    httpTimeoutsMs: { headers: config.abuse.headersTimeoutMs, request: config.abuse.requestTimeoutMs, idle: config.abuse.idleTimeoutMs },
    maxUrlBytes: config.abuse.maxUrlBytes,
    alertChannels: [config.alerts.smsTo.length > 0 && 'sms', config.alerts.email && 'email', config.alerts.webhookUrl && 'webhook'].filter(Boolean),
    receiptKey: config.receipts.signingKey === undefined ? 'unset (receipts unsigned)' : `[redacted, from ${config.receipts.keySource}]`,
    receiptKeyDir: config.receipts.keyDir,
  };
}

function maskUrlCredentials(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '[unparseable]';
  }
}
