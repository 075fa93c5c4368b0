import type IORedis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { TokenBucket } from '../../../adapters/resilience/token-bucket';
import type { RateLimit } from '../config/app-config';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Takes one request's token for `key` (a client, an IP, a phone's keyed hash) under `limit`.
 * The injection token of the runtime's limiter: in memory when embedded, in Redis when REDIS_URL
 * is set, so that every api replica counts against the same budget.
 */
export abstract class RateLimiter {
  abstract take(key: string, limit: RateLimit): Promise<RateDecision>;
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

  async take(key: string, limit: RateLimit): Promise<RateDecision> {
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
    if (bucket.reserve(0) === 0) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(bucket.msUntilToken() / 1000)) };
  }
}

/**
 * The budget shared by every replica, in Redis, through rate-limiter-flexible (one atomic script
 * per request). Its windows are fixed: `burst` requests per `burst / perSecond` seconds, the same
 * long-run rate as the token bucket. While Redis cannot be reached each replica limits on its own
 * (MemoryRateLimiter) rather than letting everything through or refusing everything.
 */
export class RedisRateLimiter extends RateLimiter {
  private readonly limiters = new Map<string, RateLimiterRedis>();
  private readonly fallback = new MemoryRateLimiter();

  constructor(
    private readonly redis: IORedis,
    private readonly prefix: string,
  ) {
    super();
  }

  async take(key: string, limit: RateLimit): Promise<RateDecision> {
    try {
      await this.limiterFor(limit).consume(key);
      return { allowed: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
      }
      return this.fallback.take(key, limit);
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
        duration: Math.max(1, Math.round(limit.burst / limit.perSecond)),
        rejectIfRedisNotReady: true,
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}
