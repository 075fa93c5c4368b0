import type IORedis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { TokenBucket } from '../../../adapters/resilience/token-bucket';
import type { RateLimit } from '../config/app-config';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const ALLOWED: RateDecision = Object.freeze({ allowed: true });

/**
 * Takes one request's token for `key` (a client, an IP, a phone's keyed hash) under `limit`.
 * The injection token of the runtime's limiter: in memory when embedded, in Redis when REDIS_URL
 * is set, so that every api replica counts against the same budget. The decision is given at once
 * when no store need be asked (a token in memory, a lease in hand), a promise only otherwise: the
 * guard then adds no promise to the requests that do not wait (issue 13).
 */
export abstract class RateLimiter {
  abstract take(key: string, limit: RateLimit): RateDecision | Promise<RateDecision>;
  async close(): Promise<void> {}
}

/** How many keys one process remembers; the least recently seen are forgotten first. */
const MAX_KEYS = 100_000;

/** One TokenBucket (adapters/resilience, the agencies' limiter) per key, in this process. */
export class MemoryRateLimiter extends RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly maxKeys = MAX_KEYS,
    private readonly now?: () => number,
  ) {
    super();
  }

  take(key: string, limit: RateLimit): RateDecision {
    // The limit is part of the key: a role's new limit starts a new bucket.
    const id = `${limit.perSecond}:${limit.burst}:${key}`;
    let bucket = this.buckets.get(id);
    if (bucket) {
      this.buckets.delete(id); // re-inserted below: the Map's order is the order of last use
    } else {
      bucket = new TokenBucket(limit.perSecond, limit.burst, this.now);
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    }
    this.buckets.set(id, bucket);
    if (bucket.reserve(0) === 0) return ALLOWED;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(bucket.msUntilToken() / 1000)) };
  }
}

/** A replica takes at most this many of a key's requests from Redis at once (see RedisRateLimiter). */
const MAX_LEASE = 10;
/** ... and spends them within this time, or gives them up. */
const LEASE_MS = 1000;

type LeaseOutcome = { kind: 'leased' } | { kind: 'refused'; decision: RateDecision } | { kind: 'unreachable' };

/** A tenth of the burst, 1–MAX_LEASE: a small limit stays exact, a busy client costs Redis a tenth. */
export function leaseSize(limit: RateLimit): number {
  return Math.max(1, Math.min(MAX_LEASE, Math.floor(limit.burst / 10)));
}

/**
 * The budget shared by every replica, in Redis, through rate-limiter-flexible (one atomic script
 * per call). Its windows are fixed: `burst` requests per `burst / perSecond` seconds rounded up to
 * whole seconds: the token bucket's long-run rate, or below it when the burst is not a whole number
 * of seconds of the rate. So that a busy client does not cost a Redis round trip on every request
 * (issue 13 counts them on the submit path), a replica leases `leaseSize(limit)` requests at once
 * and spends them locally within LEASE_MS: the shared budget is exact to within
 * one lease per replica, and a lease asked for when fewer are left counts against the window like
 * the requests it would have been (a client at its limit meets it up to a lease early). While Redis
 * cannot be reached each replica limits on its own (MemoryRateLimiter) rather than letting
 * everything through or refusing everything.
 */
export class RedisRateLimiter extends RateLimiter {
  private readonly limiters = new Map<string, RateLimiterRedis>();
  private readonly fallback = new MemoryRateLimiter();
  private readonly leases = new Map<string, { left: number; until: number }>();
  private readonly pending = new Map<string, Promise<LeaseOutcome>>();

  constructor(
    private readonly redis: IORedis,
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  take(key: string, limit: RateLimit): RateDecision | Promise<RateDecision> {
    const id = `${limit.perSecond}:${limit.burst}:${key}`;
    return this.spendLease(id) ? ALLOWED : this.takeLeased(id, key, limit);
  }

  /** One request from the lease in hand for `id`, if there is one. */
  private spendLease(id: string): boolean {
    const lease = this.leases.get(id);
    if (!lease || lease.left <= 0 || lease.until <= this.now()) return false;
    lease.left -= 1;
    return true;
  }

  private async takeLeased(id: string, key: string, limit: RateLimit): Promise<RateDecision> {
    // Requests that arrive together wait for one lease instead of each asking Redis for one.
    for (;;) {
      if (this.spendLease(id)) return ALLOWED;
      let pending = this.pending.get(id);
      if (!pending) {
        pending = this.lease(id, key, limit).finally(() => this.pending.delete(id));
        this.pending.set(id, pending);
      }
      const outcome = await pending;
      if (outcome.kind === 'refused') return outcome.decision;
      if (outcome.kind === 'unreachable') return this.fallback.take(key, limit);
    }
  }

  private async lease(id: string, key: string, limit: RateLimit): Promise<LeaseOutcome> {
    const size = leaseSize(limit);
    const at = this.now();
    try {
      await this.limiterFor(limit).consume(key, size);
      this.leases.delete(id); // re-inserted: the Map's order is the order of last use
      if (this.leases.size >= MAX_KEYS) this.leases.delete(this.leases.keys().next().value as string);
      this.leases.set(id, { left: size, until: at + LEASE_MS });
      return { kind: 'leased' };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return { kind: 'refused', decision: { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) } };
      }
      return { kind: 'unreachable' };
    }
  }

  private limiterFor(limit: RateLimit): RateLimiterRedis {
    const id = `${limit.perSecond}:${limit.burst}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${this.prefix}:${id}`,
        points: limit.burst,
        // Whole seconds (rate-limiter-flexible's unit), rounded up, so that `burst` per window never
        // exceeds the rate: 4/s with a burst of 5 is 5 per 2 s (rounded to 1 s, it let 5 a second
        // through). The epsilon keeps 3/h's 3599.9999999999995 s at 3600, not 3601.
        duration: Math.max(1, Math.ceil(limit.burst / limit.perSecond - 1e-6)),
        rejectIfRedisNotReady: true,
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}
