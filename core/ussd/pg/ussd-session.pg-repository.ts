import type { Pool } from 'pg';
import { UssdSessionRepository, type StoredUssdSession, type UssdSessionWrite } from '../ussd-session.repository';

interface SessionRow {
  session_id: string;
  phone_hash: string;
  state_sealed: Buffer;
  version: number;
  expires_at: Date;
}

export class PgUssdSessionRepository extends UssdSessionRepository {
  constructor(private readonly pool: Pool) {
    super();
  }

  async find(sessionId: string): Promise<StoredUssdSession | null> {
    const { rows } = await this.pool.query<SessionRow>(
      'SELECT session_id, phone_hash, state_sealed, version, expires_at FROM ussd_sessions WHERE session_id = $1',
      [sessionId],
    );
    const row = rows[0];
    return row
      ? { sessionId: row.session_id, phoneHash: row.phone_hash, stateSealed: row.state_sealed, version: row.version, expiresAt: row.expires_at }
      : null;
  }

  async save(write: UssdSessionWrite, expectedVersion: number | null): Promise<boolean> {
    if (expectedVersion === null) {
      const { rowCount } = await this.pool.query(
        `INSERT INTO ussd_sessions (session_id, phone_hash, state_sealed, version, created_at, updated_at, expires_at)
         VALUES ($1, $2, $3, 0, $4, $4, $5) ON CONFLICT (session_id) DO NOTHING`,
        [write.sessionId, write.phoneHash, write.stateSealed, write.at, write.expiresAt],
      );
      return rowCount === 1;
    }
    const { rowCount } = await this.pool.query(
      `UPDATE ussd_sessions SET phone_hash = $2, state_sealed = $3, version = version + 1, updated_at = $4, expires_at = $5
       WHERE session_id = $1 AND version = $6`,
      [write.sessionId, write.phoneHash, write.stateSealed, write.at, write.expiresAt, expectedVersion],
    );
    return rowCount === 1;
  }

  async purgeExpired(before: Date, limit: number): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM ussd_sessions WHERE session_id IN
         (SELECT session_id FROM ussd_sessions WHERE expires_at < $1 ORDER BY expires_at LIMIT $2)`,
      [before, limit],
    );
    return rowCount ?? 0;
  }
}
