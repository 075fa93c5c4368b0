/**
 * The whole environment, validated once at boot into one frozen `AppConfig`. A bad value stops
 * start-up with a `ConfigError` naming every bad variable and what it expects; the values of
 * secret variables are never repeated in the message. An empty variable counts as unset (compose
 * files often write `PORT=`).
 *
 * Variables:
 *   PORT                     HTTP port, 0–65535. Default 8080.
 *   HOST                     Interface to listen on. Default 127.0.0.1 in embedded mode (nothing
 *                            outside the machine reaches the dev key), 0.0.0.0 when DATABASE_URL is set.
 *   DATABASE_URL             postgres:// or postgresql:// URL (secret). Unset: embedded PGlite in
 *                            KIUNGO_DATA_DIR. Setting it switches to production mode.
 *   DB_POOL_MAX              Connections per process in the pg pool, 1–1000. Default 10.
 *   REDIS_URL                redis:// or rediss:// URL (secret). Unset: in-process queues and events.
 *   OIDC_ISSUER_URL          http(s) URL of the OIDC issuer (Keycloak realm), exactly as it appears in
 *                            the tokens' `iss`. Unset: tokens are signed by the development key.
 *                            Required when DATABASE_URL is set, unless KIUNGO_DEV_TOKENS=1.
 *   KIUNGO_DEV_TOKENS        1: accept development-key tokens in production mode (tests, bench, chaos).
 *   OIDC_AUDIENCE            Expected `aud` of access tokens, and the Keycloak client whose roles
 *                            count. Default kiungo.
 *   OIDC_JWKS_URL            http(s) URL; overrides the `jwks_uri` found by OIDC discovery.
 *   KIUNGO_DATA_DIR          Folder for the embedded database, the dev signing key and the embedded
 *                            data key. Default .kiungo (relative to the working directory).
 *   KIUNGO_CATALOGUE_DIR     Folder of agency configurations. Default contracts/catalogue.
 *   KIUNGO_DATA_KEY          Base64 of 32 random bytes (secret): seals national IDs and phone numbers
 *                            at rest. Required when DATABASE_URL is set; in embedded mode generated
 *                            once into KIUNGO_DATA_DIR/data-key. Make one: `openssl rand -base64 32`.
 *   LOG_LEVEL                trace | debug | info | warn | error | fatal | silent (also Nest's
 *                            verbose = trace, log = info). Default info.
 *   KIUNGO_BODY_LIMIT_BYTES  Largest request body accepted, 1 KiB–100 MiB. Default 1048576.
 *   KIUNGO_SWEEP_INTERVAL_MS How often the worker's sweeper looks for overdue transactions,
 *                            100–3600000. Default 5000.
 *   KIUNGO_SMS_DRIVER        outbox | africastalking. Default outbox (SMS recorded in the `notifications`
 *                            table, nothing sent).
 *   AT_USERNAME              Africa's Talking account user name. Required when KIUNGO_SMS_DRIVER=africastalking.
 *   AT_API_KEY               Africa's Talking API key (secret). Required when KIUNGO_SMS_DRIVER=africastalking.
 *   AT_SMS_URL               Bulk SMS endpoint. Default https://api.africastalking.com/version1/messaging
 *                            (sandbox: https://api.sandbox.africastalking.com/version1/messaging).
 *   AT_SENDER_ID             Registered short code or sender id; the account default when unset.
 *   KIUNGO_SEED_CENTRES      1 / 0: insert the demo Huduma centres at start when missing. Default 1 in
 *                            embedded mode, 0 in production.
 *   KIUNGO_BOOKING_JOBS_INTERVAL_MS  How often the worker releases no-shows and sends reminders,
 *                            1000–3600000. Default 60000.
 *   KIUNGO_USSD_SECRET       16–128 characters [A-Za-z0-9_-] (secret): Africa's Talking calls the USSD
 *                            callback with it, POST /v1/channels/ussd?key=<secret>. Unset: generated once
 *                            into KIUNGO_DATA_DIR/ussd-secret in embedded mode (printed at start); the
 *                            USSD channel is off in production.
 *   KIUNGO_QUEUE_PREFIX      Redis key prefix of the BullMQ retry queue, [A-Za-z0-9_-]{1,64}: several
 *                            deployments (or test runs) on one Redis database. Default kiungo.
 *   KIUNGO_METRICS_PORT      Port of the Prometheus endpoint (GET /metrics), on HOST, 0–65535; 0 picks a
 *                            free one; `off`: no endpoint and no instruments at all (the bench's
 *                            baseline). Default 9464. Never the API's port: see gateway/src/metrics.
 *   KIUNGO_SEAL_KEY, KIUNGO_SEAL_KEY_FILE, KIUNGO_SEAL_DIR, KIUNGO_SEAL_INTERVAL_MS: the audit seals;
 *   KIUNGO_AUDIT_VERIFY_WORKERS: threads of verify (audit-config.ts).
 *   KIUNGO_RATE_LIMITS, KIUNGO_BOARD_STREAMS_PER_CLIENT, KIUNGO_HTTP_HEADERS_TIMEOUT_MS,
 *   KIUNGO_HTTP_REQUEST_TIMEOUT_MS, KIUNGO_HTTP_IDLE_TIMEOUT_MS, KIUNGO_HTTP_MAX_URL_BYTES: rate limits
 *                            and server timeouts (abuse-config.ts).
 *   KIUNGO_RETENTION_DAYS    Days personal data is kept after a transaction ends or a booked slot passes,
 *                            for services whose agency file sets no retentionDays; 1–36500. Default 730.
 *   KIUNGO_RETENTION_INTERVAL_MS  How often the worker erases what is past retention, 60000–86400000.
 *                            Default 3600000.
 *   KIUNGO_ALERT_*           the operations room's alerts: rules, throttle, SMS, e-mail, webhook (alerts-config.ts).
 *   KIUNGO_RECEIPT_KEY, KIUNGO_RECEIPT_KEY_FILE, KIUNGO_RECEIPT_KEY_DIR: the key that signs citizens'
 *                            receipts (receipt-config.ts).
 */
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { LOG_LEVELS, PROCESS_ROLES, type AppConfig, type LogLevel, type ProcessRole, type SmsConfig, type UssdConfig } from './app-config';
import { readAbuseConfig } from './abuse-config';
import { readAlertsConfig } from './alerts-config';
import { readAuditConfig } from './audit-config';
import { readReceiptConfig } from './receipt-config';
import { readOrCreateSecretFile } from './file-once';

export { APP_CONFIG, describeConfig, type AppConfig, type AppMode, type LogLevel, type ProcessRole, type SmsConfig } from './app-config';

export interface ConfigProblem {
  /** The environment variable (or `role` for the process argument). */
  variable: string;
  expected: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.expected}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Collects every problem before failing, so one start-up attempt shows them all. */
class EnvReader {
  readonly problems: ConfigProblem[] = [];

  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.fail(name, `an integer from ${min} to ${max}, got "${value}"`);
      return fallback;
    }
    return Number(value);
  }

  url(name: string, protocols: readonly string[], secret: boolean): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    let protocol: string | undefined;
    try {
      protocol = new URL(value).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol === undefined || !protocols.includes(protocol)) {
      const shown = secret ? '(value not shown: it may hold credentials)' : `got "${value}"`;
      this.fail(name, `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')} ${shown}`);
      return undefined;
    }
    return value;
  }

  fail(variable: string, expected: string): void {
    this.problems.push({ variable, expected });
  }
}

const LOG_LEVEL_ALIASES: Readonly<Record<string, LogLevel>> = { verbose: 'trace', log: 'info' };

/** Reads and validates the environment; throws `ConfigError` naming every bad variable. */
export function loadConfig(env: Env = process.env): AppConfig {
  const read = new EnvReader(env);

  const databaseUrl = read.url('DATABASE_URL', ['postgres:', 'postgresql:'], true);
  const production = read.raw('DATABASE_URL') !== undefined;

  const host = read.raw('HOST') ?? (production ? '0.0.0.0' : '127.0.0.1');
  if (/\s/.test(host)) read.fail('HOST', `a host name or IP address without spaces, got "${host}"`);

  const logLevelText = (read.raw('LOG_LEVEL') ?? 'info').toLowerCase();
  const logLevel = LOG_LEVEL_ALIASES[logLevelText] ?? (LOG_LEVELS as readonly string[]).find((l) => l === logLevelText);
  if (logLevel === undefined) read.fail('LOG_LEVEL', `one of ${LOG_LEVELS.join(', ')}, got "${logLevelText}"`);

  const { dataDir, catalogueDir } = readFolders(read);
  const partial = {
    mode: production ? 'production' : 'embedded',
    port: read.integer('PORT', 8080, 0, 65535),
    host,
    databaseUrl,
    dbPoolMax: read.integer('DB_POOL_MAX', 10, 1, 1000),
    dbConnectionLifetimeSeconds: read.integer('DB_CONNECTION_LIFETIME_S', 1800, 0, 86_400),
    redisUrl: read.url('REDIS_URL', ['redis:', 'rediss:'], true),
    oidcIssuerUrl: read.url('OIDC_ISSUER_URL', ['https:', 'http:'], false),
    oidcAudience: read.raw('OIDC_AUDIENCE') ?? 'kiungo',
    oidcJwksUrl: read.url('OIDC_JWKS_URL', ['https:', 'http:'], false),
    dataDir,
    catalogueDir,
    logLevel: logLevel ?? 'info',
    bodyLimitBytes: read.integer('KIUNGO_BODY_LIMIT_BYTES', 1_048_576, 1024, 100 * 1024 * 1024),
    sweepIntervalMs: read.integer('KIUNGO_SWEEP_INTERVAL_MS', 5000, 100, 3_600_000),
    sms: readSmsConfig(read),
    seedDemoCentres: (read.raw('KIUNGO_SEED_CENTRES') ?? (production ? '0' : '1')) === '1',
    bookingJobsIntervalMs: read.integer('KIUNGO_BOOKING_JOBS_INTERVAL_MS', 60_000, 1000, 3_600_000),
    metricsPort: read.raw('KIUNGO_METRICS_PORT')?.toLowerCase() === 'off' ? null : read.integer('KIUNGO_METRICS_PORT', 9464, 0, 65535),
    queuePrefix: readQueuePrefix(read),
    retention: {
      defaultDays: read.integer('KIUNGO_RETENTION_DAYS', 730, 1, 36_500),
      intervalMs: read.integer('KIUNGO_RETENTION_INTERVAL_MS', 3_600_000, 60_000, 86_400_000),
    },
    outageWatchIntervalMs: read.integer('KIUNGO_OUTAGE_WATCH_INTERVAL_MS', 5000, 100, 3_600_000),
  } as const;

  const ussdSecretText = read.raw('KIUNGO_USSD_SECRET');
  if (ussdSecretText !== undefined && !USSD_SECRET.test(ussdSecretText)) {
    read.fail('KIUNGO_USSD_SECRET', '16–128 characters of A-Z, a-z, 0-9, _ or - (value not shown; make one with `openssl rand -hex 24`)');
  }

  const dataKeyText = read.raw('KIUNGO_DATA_KEY');
  const dataKeyFromEnv = dataKeyText === undefined ? undefined : decodeDataKey(dataKeyText);
  if (dataKeyText !== undefined && dataKeyFromEnv === undefined) {
    read.fail('KIUNGO_DATA_KEY', 'base64 of exactly 32 bytes (value not shown; make one with `openssl rand -base64 32`)');
  }
  // A production deployment that silently trusted the development key would accept tokens minted
  // by anyone who can read KIUNGO_DATA_DIR. Tests, benchmarks and chaos runs opt in explicitly.
  if (production && read.raw('OIDC_ISSUER_URL') === undefined && read.raw('KIUNGO_DEV_TOKENS') !== '1') {
    read.fail('OIDC_ISSUER_URL', 'required when DATABASE_URL is set: the Keycloak realm URL (or KIUNGO_DEV_TOKENS=1 to accept development tokens, for tests only)');
  }
  if (production && dataKeyText === undefined) {
    read.fail('KIUNGO_DATA_KEY', 'required when DATABASE_URL is set: base64 of 32 random bytes (`openssl rand -base64 32`)');
  }

  const audit = readAuditConfig(read, production, dataDir);
  const abuse = readAbuseConfig(read);
  const alerts = readAlertsConfig(read);
  const receipts = readReceiptConfig(read, production, dataDir);

  if (read.problems.length > 0) throw new ConfigError(read.problems);

  const dataKey = dataKeyFromEnv ?? embeddedDataKey(dataDir);
  return Object.freeze({
    ...partial,
    dataKey,
    dataKeySource: dataKeyFromEnv === undefined ? 'data-dir' : 'env',
    ussd: ussdConfig(ussdSecretText, production, dataDir),
    audit,
    abuse,
    alerts,
    receipts,
  } satisfies AppConfig);
}

function readQueuePrefix(read: EnvReader): string | undefined {
  const prefix = read.raw('KIUNGO_QUEUE_PREFIX');
  if (prefix !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(prefix)) read.fail('KIUNGO_QUEUE_PREFIX', `1–64 characters of A-Z, a-z, 0-9, _ or -, got "${prefix}"`);
  return prefix;
}

function readFolders(read: EnvReader): { dataDir: string; catalogueDir: string } {
  return {
    dataDir: resolve(read.raw('KIUNGO_DATA_DIR') ?? '.kiungo'),
    catalogueDir: resolve(read.raw('KIUNGO_CATALOGUE_DIR') ?? 'contracts/catalogue'),
  };
}

/** What the command-line tools (migrate, seed) run on: the database and the catalogue, nothing a server needs. */
export interface ToolConfig {
  /** DATABASE_URL; undefined means the embedded database in `dataDir`. */
  readonly databaseUrl?: string;
  readonly dataDir: string;
  readonly catalogueDir: string;
}

/** DATABASE_URL, KIUNGO_DATA_DIR and KIUNGO_CATALOGUE_DIR, validated as `loadConfig` does. */
export function loadToolConfig(env: Env = process.env): ToolConfig {
  const read = new EnvReader(env);
  const databaseUrl = read.url('DATABASE_URL', ['postgres:', 'postgresql:'], true);
  const folders = readFolders(read);
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return Object.freeze({ databaseUrl, ...folders });
}

/**
 * The variables agency files name themselves (`baseUrlEnv`, `usernameEnv`, `inboxEnv`, …): not
 * known before the catalogue is loaded, so not validated here, and read live when an adapter
 * needs them (a rotated secret is picked up). Everything else reads the environment through
 * `loadConfig` or `loadToolConfig`.
 */
export const agencyEnvironment: Env = process.env;

function readSmsConfig(read: EnvReader): SmsConfig {
  const driver = read.raw('KIUNGO_SMS_DRIVER') ?? 'outbox';
  if (driver === 'outbox') return { driver };
  if (driver !== 'africastalking') {
    read.fail('KIUNGO_SMS_DRIVER', `outbox or africastalking, got "${driver}"`);
    return { driver: 'outbox' };
  }
  const username = read.raw('AT_USERNAME');
  const apiKey = read.raw('AT_API_KEY');
  if (username === undefined) read.fail('AT_USERNAME', 'required when KIUNGO_SMS_DRIVER=africastalking');
  if (apiKey === undefined) read.fail('AT_API_KEY', 'required when KIUNGO_SMS_DRIVER=africastalking (value not shown)');
  const url = read.url('AT_SMS_URL', ['https:', 'http:'], false) ?? 'https://api.africastalking.com/version1/messaging';
  const senderId = read.raw('AT_SENDER_ID');
  return { driver, url, username: username ?? '', apiKey: apiKey ?? '', ...(senderId ? { senderId } : {}) };
}

function decodeDataKey(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return undefined;
  const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === 32 ? key : undefined;
}

const USSD_SECRET = /^[A-Za-z0-9_-]{16,128}$/;

/** The USSD callback's secret: from the environment; generated once in embedded mode; none (channel off) in production. */
function ussdConfig(fromEnv: string | undefined, production: boolean, dataDir: string): UssdConfig {
  if (fromEnv !== undefined) return { secret: fromEnv, source: 'env' };
  if (production) return { source: 'none' };
  const path = join(dataDir, 'ussd-secret');
  const secret = readOrCreateSecretFile(path, () => `${randomBytes(24).toString('hex')}\n`).content.trim();
  if (!USSD_SECRET.test(secret)) throw new ConfigError([{ variable: 'KIUNGO_USSD_SECRET', expected: `${path} to hold 16–128 characters; it is damaged` }]);
  return { secret, source: 'data-dir' };
}

/** Embedded mode only: a key generated on first start and kept beside the embedded database. */
function embeddedDataKey(dataDir: string): Buffer {
  const path = join(dataDir, 'data-key');
  const { content } = readOrCreateSecretFile(path, () => `${randomBytes(32).toString('base64')}\n`);
  const key = decodeDataKey(content.trim());
  if (key === undefined) {
    throw new ConfigError([{ variable: 'KIUNGO_DATA_KEY', expected: `${path} to hold base64 of 32 bytes; it is damaged` }]);
  }
  return key;
}

/**
 * The process role from the command line (`main.js api`, `main.js --role=worker`); `all` when
 * none is given. `argv` is what follows the script name: `process.argv.slice(2)`.
 */
export function parseRole(argv: readonly string[] = process.argv.slice(2)): ProcessRole {
  // Not strict: Node's own flags may follow the script when it is started by a wrapper.
  const { values, positionals } = parseArgs({ args: [...argv], strict: false, allowPositionals: true, options: { role: { type: 'string' } } });
  const flag = values.role;
  const given = typeof flag === 'string' ? flag : flag === true ? '' : positionals[0];
  if (given === undefined) return 'all';
  const role = PROCESS_ROLES.find((r) => r === given);
  if (role === undefined) {
    throw new ConfigError([{ variable: 'role', expected: `one of ${PROCESS_ROLES.join(', ')}, got "${given}"` }]);
  }
  return role;
}
