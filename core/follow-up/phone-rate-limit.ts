import type { Pool } from 'pg';

export interface RateVerdict {
  allowed: boolean;
  /** When the current window ends (retry then). */
  retryAt: Date;
}

export interface RatePolicy {
  /** Hits allowed per window and phone. */
  limit: number;
  windowMs: number;
}

/**
 * How often one phone may use a citizens' channel feature (status look-ups): a fixed window per
 * scope and phone, counted in PostgreSQL so that every api replica counts the same hits. A hit over
 * the limit is still counted, so hammering does not reopen the window early.
 */
export class PhoneRateLimit {
  constructor(
    private readonly pool: Pool,
    private readonly policy: RatePolicy,
  ) {}

  async hit(scope: string, phoneHash: string, at: Date): Promise<RateVerdict> {
    const windowStart = new Date(Math.floor(at.getTime() / this.policy.windowMs) * this.policy.windowMs);
    const { rows } = await this.pool.query<{ hits: number }>(
      `WITH gone AS (DELETE FROM phone_rate_limits WHERE scope = $1 AND phone_hash = $2 AND window_start < $3)
       INSERT INTO phone_rate_limits (scope, phone_hash, window_start, hits) VALUES ($1, $2, $3, 1)
       ON CONFLICT (scope, phone_hash, window_start) DO UPDATE SET hits = phone_rate_limits.hits + 1
       RETURNING hits`,
      [scope, phoneHash, windowStart],
    );
    return { allowed: rows[0].hits <= this.policy.limit, retryAt: new Date(windowStart.getTime() + this.policy.windowMs) };
  }
}
