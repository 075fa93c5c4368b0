import type { Pool } from 'pg';
import { IdempotencyRepository, type StoredResponse } from '../idempotency.repository';

export class PgIdempotencyRepository extends IdempotencyRepository {
  constructor(private readonly pool: Pool) {
    super();
  }

  async find(scope: string, key: string): Promise<StoredResponse | null> {
    const { rows } = await this.pool.query<Row>('SELECT route, request_hash, status, body FROM idempotency_keys WHERE scope = $1 AND key = $2', [scope, key]);
    return rows[0] ? toStored(rows[0]) : null;
  }

  async remember(scope: string, key: string, response: StoredResponse): Promise<StoredResponse | null> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO idempotency_keys (scope, key, route, request_hash, status, body) VALUES ($1, $2, $3, $4, $5, $6::jsonb)
       ON CONFLICT (scope, key) DO NOTHING`,
      [scope, key, response.route, response.requestHash, response.status, JSON.stringify(response.body)],
    );
    if (rowCount === 1) return null;
    return this.find(scope, key);
  }
}

interface Row {
  route: string;
  request_hash: string;
  status: number;
  body: unknown;
}

function toStored(row: Row): StoredResponse {
  return { route: row.route, requestHash: row.request_hash, status: row.status, body: row.body };
}
