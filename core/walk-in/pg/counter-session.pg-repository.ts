import type { Pool } from 'pg';
import type { AuditLog } from '../../audit/audit-log';
import { isPgError, PG_ERROR, withTransaction } from '../../db/pool';
import type { CounterSession } from '../domain/counter-session';
import type { NewQueueEvent } from '../domain/queue-event';
import { CounterSessionRepository, type OpenResult } from '../counter-session.repository';
import { recordQueueEvent } from './queue-event.pg';

const COLUMNS = 'id, centre_code, counter_code, officer_id, opened_at, closed_at';

interface SessionRow {
  id: string;
  centre_code: string;
  counter_code: string;
  officer_id: string;
  opened_at: Date;
  closed_at: Date | null;
}

function toSession(row: SessionRow): CounterSession {
  return {
    id: row.id,
    centreCode: row.centre_code,
    counterCode: row.counter_code,
    officerId: row.officer_id,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
  };
}

export class PgCounterSessionRepository extends CounterSessionRepository {
  constructor(
    private readonly pool: Pool,
    private readonly audit: AuditLog,
  ) {
    super();
  }

  async open(session: Omit<CounterSession, 'closedAt'>, event: NewQueueEvent): Promise<OpenResult> {
    for (let attempt = 0; ; attempt++) {
      const existing = await this.openConflict(session);
      if (existing) return existing;
      try {
        return await withTransaction(this.pool, async (db) => {
          const { rows } = await db.query<SessionRow>(
            `INSERT INTO counter_sessions (id, centre_code, counter_code, officer_id, opened_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
            [session.id, session.centreCode, session.counterCode, session.officerId, session.openedAt],
          );
          await recordQueueEvent(db, this.audit, event);
          return { outcome: 'opened', session: toSession(rows[0]) };
        });
      } catch (error) {
        // Someone opened the counter (or the officer opened another) at the same moment: look again.
        if (!isPgError(error, PG_ERROR.unique_violation) || attempt >= 2) throw error;
      }
    }
  }

  async close(centreCode: string, counterCode: string, at: Date, event: (session: CounterSession) => NewQueueEvent): Promise<CounterSession | null> {
    return withTransaction(this.pool, async (db) => {
      const { rows } = await db.query<SessionRow>(
        `UPDATE counter_sessions SET closed_at = GREATEST($3::timestamptz, opened_at)
          WHERE centre_code = $1 AND counter_code = $2 AND closed_at IS NULL RETURNING ${COLUMNS}`,
        [centreCode, counterCode, at],
      );
      if (!rows[0]) return null;
      const closed = toSession(rows[0]);
      await recordQueueEvent(db, this.audit, event(closed));
      return closed;
    });
  }

  async openAt(centreCode: string, counterCode: string): Promise<CounterSession | null> {
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT ${COLUMNS} FROM counter_sessions WHERE centre_code = $1 AND counter_code = $2 AND closed_at IS NULL`,
      [centreCode, counterCode],
    );
    return rows[0] ? toSession(rows[0]) : null;
  }

  private async openConflict(session: Omit<CounterSession, 'closedAt'>): Promise<OpenResult | null> {
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT ${COLUMNS} FROM counter_sessions
        WHERE closed_at IS NULL AND ((centre_code = $1 AND counter_code = $2) OR officer_id = $3)`,
      [session.centreCode, session.counterCode, session.officerId],
    );
    const here = rows.find((r) => r.centre_code === session.centreCode && r.counter_code === session.counterCode);
    if (here) return { outcome: here.officer_id === session.officerId ? 'already-open' : 'taken', session: toSession(here) };
    if (rows[0]) return { outcome: 'officer-elsewhere', session: toSession(rows[0]) };
    return null;
  }
}
