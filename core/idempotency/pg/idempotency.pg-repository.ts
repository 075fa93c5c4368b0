import type { Pool } from 'pg';
import { answerJson, type IdempotentRequest, type StoredAnswer } from '../domain/idempotent-request';
import { IdempotencyRepository, type Claim } from '../idempotency.repository';

interface Row {
  route: string;
  request_hash: string;
  status: number | null;
  body: unknown;
  stale: boolean;
}

export class PgIdempotencyRepository extends IdempotencyRepository {
  constructor(private readonly pool: Pool) {
    super();
  }

  async claim(request: IdempotentRequest, staleAfterMs: number): Promise<Claim> {
    // A key released between our INSERT and our look-up: claim again (a handful of times at most).
    for (let tries = 0; tries < 5; tries++) {
      const inserted = await this.pool.query(
        `INSERT INTO idempotency_keys (scope, key, route, request_hash) VALUES ($1, $2, $3, $4) ON CONFLICT (scope, key) DO NOTHING`,
        [request.scope, request.key, request.route, request.fingerprint],
      );
      if (inserted.rowCount === 1) return { kind: 'claimed' };
      const { rows } = await this.pool.query<Row>(
        `SELECT route, request_hash, status, body, claimed_at < now() - make_interval(secs => $3::double precision / 1000) AS stale
           FROM idempotency_keys WHERE scope = $1 AND key = $2`,
        [request.scope, request.key, staleAfterMs],
      );
      const row = rows[0];
      if (!row) continue;
      if (row.route !== request.route || row.request_hash !== request.fingerprint) return { kind: 'reused' };
      if (row.status !== null) return { kind: 'answered', answer: { status: row.status, body: row.body } };
      if (!row.stale) return { kind: 'in-progress' };
      const taken = await this.pool.query(
        `UPDATE idempotency_keys SET claimed_at = now()
          WHERE scope = $1 AND key = $2 AND status IS NULL AND claimed_at < now() - make_interval(secs => $3::double precision / 1000)`,
        [request.scope, request.key, staleAfterMs],
      );
      if (taken.rowCount === 1) return { kind: 'claimed' };
    }
    return { kind: 'in-progress' };
  }

  async answer(request: IdempotentRequest, answer: StoredAnswer): Promise<void> {
    await this.pool.query(`UPDATE idempotency_keys SET status = $3, body = $4::jsonb WHERE scope = $1 AND key = $2 AND status IS NULL`, [
      request.scope,
      request.key,
      answer.status,
      answerJson(answer.body),
    ]);
  }

  async release(request: IdempotentRequest): Promise<void> {
    await this.pool.query(`DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status IS NULL`, [request.scope, request.key]);
  }
}
