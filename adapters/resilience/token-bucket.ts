/**
 * A token-bucket rate limiter: `perSecond` tokens flow in, at most `burst` are kept.
 *
 * Policy (deliberate): a call that finds no token may WAIT for the next one, but only
 * briefly (`maxWaitMs`, default 100 ms in ResilientAgency). If the next free token is
 * further away than that, the call is refused at once (`rate_limited`) rather than queued:
 * the caller (the inline path or the retry worker) already knows how to come back later,
 * and a hidden queue here would only stretch response times.
 * Waiting calls reserve their token (the balance goes negative), so waiters are served in
 * arrival order and never exceed the configured rate.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = Math.max(1, burst);
    this.refilledAt = now();
  }

  /** True when the bucket imposes no limit (no positive, finite rate configured). */
  get unlimited(): boolean {
    return !(Number.isFinite(this.perSecond) && this.perSecond > 0);
  }

  /**
   * Takes a token: returns the milliseconds to wait before using it (0 = now), or `null`
   * when no token would be free within `maxWaitMs` (nothing is taken then).
   */
  reserve(maxWaitMs: number): number | null {
    if (this.unlimited) return 0;
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    const waitMs = this.msUntilToken();
    if (waitMs > maxWaitMs) return null;
    this.tokens -= 1;
    return waitMs;
  }

  /** Milliseconds until a token is free (0: one is free now). Takes nothing. */
  msUntilToken(): number {
    if (this.unlimited) return 0;
    this.refill();
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.perSecond) * 1000;
  }

  private refill(): void {
    const now = this.now();
    const capacity = Math.max(1, this.burst);
    this.tokens = Math.min(capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond);
    this.refilledAt = now;
  }
}
