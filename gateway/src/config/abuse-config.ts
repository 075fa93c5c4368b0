import { ROLES } from '../../../core/authorization/roles';
import type { AbuseConfig, RateLimit, RateLimitKey } from './app-config';

/** What abuse-config needs of env.schema's reader. */
export interface AbuseEnvReader {
  raw(name: string): string | undefined;
  integer(name: string, fallback: number, min: number, max: number): number;
  fail(variable: string, expected: string): void;
}

/** Every key KIUNGO_RATE_LIMITS may set: the roles, `default` (a token with none of them), `public` (per IP) and `phone` (USSD). */
export const RATE_LIMIT_KEYS: readonly RateLimitKey[] = [...ROLES, 'default', 'public', 'phone'];

/**
 * Generous for the channels' service accounts (one portal account carries every citizen on the
 * portal), tighter for people and anonymous callers. A USSD booking takes about ten callbacks:
 * `phone` lets one phone through a few conversations a minute, not an enumeration of ID numbers.
 */
const DEFAULT_LIMITS: Readonly<Record<RateLimitKey, RateLimit>> = {
  channel: { perSecond: 200, burst: 1000 },
  agency: { perSecond: 50, burst: 200 },
  officer: { perSecond: 20, burst: 100 },
  manager: { perSecond: 20, burst: 100 },
  operator: { perSecond: 20, burst: 100 },
  auditor: { perSecond: 20, burst: 100 },
  admin: { perSecond: 20, burst: 100 },
  'personal-data': { perSecond: 10, burst: 50 },
  default: { perSecond: 10, burst: 50 },
  public: { perSecond: 10, burst: 40 },
  phone: { perSecond: 0.5, burst: 30 },
};

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };
const LIMIT = /^(\d+(?:\.\d+)?)(?:\/([smh]))?(?::(\d+))?$/;

/**
 * The abuse controls (README "Abuse"):
 *   KIUNGO_RATE_LIMITS              `off`, or `key=N[/s|/m|/h][:burst]` separated by commas, over the
 *                                   defaults; key is a role, `default`, `public`, `phone` or `*` (all).
 *                                   `officer=20/s:100`: 20 a second, 100 at once. Burst defaults to N.
 *   KIUNGO_BOARD_STREAMS_PER_CLIENT open board streams (SSE) per client per replica, 1–10000. Default 20.
 *   KIUNGO_HTTP_HEADERS_TIMEOUT_MS  time to receive a request's headers, 1000–600000. Default 10000.
 *   KIUNGO_HTTP_REQUEST_TIMEOUT_MS  time to receive a whole request, body included, 1000–3600000. Default 30000.
 *   KIUNGO_HTTP_IDLE_TIMEOUT_MS     how long an idle keep-alive connection stays open, 1000–600000. Default 65000
 *                                   (above the usual 60 s of load balancers, so they close first).
 *   KIUNGO_HTTP_MAX_URL_BYTES       longest request target (path and query), 256–16384. Default 4096.
 */
export function readAbuseConfig(read: AbuseEnvReader): AbuseConfig {
  const headersTimeoutMs = read.integer('KIUNGO_HTTP_HEADERS_TIMEOUT_MS', 10_000, 1000, 600_000);
  const requestTimeoutMs = read.integer('KIUNGO_HTTP_REQUEST_TIMEOUT_MS', 30_000, 1000, 3_600_000);
  if (requestTimeoutMs < headersTimeoutMs) {
    read.fail('KIUNGO_HTTP_REQUEST_TIMEOUT_MS', `at least KIUNGO_HTTP_HEADERS_TIMEOUT_MS (${headersTimeoutMs}): the headers are part of the request`);
  }
  return {
    rateLimits: readRateLimits(read),
    boardStreamsPerClient: read.integer('KIUNGO_BOARD_STREAMS_PER_CLIENT', 20, 1, 10_000),
    headersTimeoutMs,
    requestTimeoutMs,
    idleTimeoutMs: read.integer('KIUNGO_HTTP_IDLE_TIMEOUT_MS', 65_000, 1000, 600_000),
    maxUrlBytes: read.integer('KIUNGO_HTTP_MAX_URL_BYTES', 4096, 256, 16_384),
  };
}

function readRateLimits(read: AbuseEnvReader): AbuseConfig['rateLimits'] {
  const text = read.raw('KIUNGO_RATE_LIMITS');
  if (text === 'off') return null;
  const limits: Record<RateLimitKey, RateLimit> = { ...DEFAULT_LIMITS };
  if (text === undefined) return limits;
  for (const entry of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const [key, value = ''] = entry.split('=').map((part) => part.trim());
    const match = LIMIT.exec(value);
    const keys = key === '*' ? RATE_LIMIT_KEYS : RATE_LIMIT_KEYS.filter((known) => known === key);
    if (keys.length === 0 || !match || Number(match[1]) <= 0) {
      read.fail(
        'KIUNGO_RATE_LIMITS',
        `off, or key=N[/s|/m|/h][:burst] separated by commas (key: ${RATE_LIMIT_KEYS.join(', ')} or *), got "${entry}"`,
      );
      continue;
    }
    const count = Number(match[1]);
    const limit = { perSecond: count / UNIT_SECONDS[match[2] ?? 's'], burst: Math.max(1, Number(match[3] ?? Math.ceil(count))) };
    for (const each of keys) limits[each] = limit;
  }
  return limits;
}
