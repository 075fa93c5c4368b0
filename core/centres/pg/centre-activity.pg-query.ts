import type { Pool } from 'pg';
import { CentreActivityQuery, type CentreActivity } from '../centre-activity.query';

/**
 * Both counts read a partial index (queue_tickets_waiting, bookings_pending_by_start), so a scrape
 * costs the size of today's queue, not of the tables' history.
 */
export class PgCentreActivityQuery extends CentreActivityQuery {
  constructor(private readonly pool: Pool) {
    super();
  }

  async current(now: Date): Promise<CentreActivity> {
    const [tickets, bookings] = await Promise.all([
      this.pool.query<{ centre_code: string; service_code: string; n: string }>(
        `SELECT centre_code, service_code, count(*) AS n FROM queue_tickets WHERE state = 'waiting' GROUP BY centre_code, service_code`,
      ),
      this.pool.query<{ centre_code: string; n: string }>(
        `SELECT centre_code, count(*) AS n FROM bookings WHERE status = 'booked' AND slot_start >= $1 GROUP BY centre_code`,
        [now],
      ),
    ]);
    const activity: CentreActivity = { waitingTickets: {}, upcomingBookings: {} };
    for (const row of tickets.rows) (activity.waitingTickets[row.centre_code] ??= {})[row.service_code] = Number(row.n);
    for (const row of bookings.rows) activity.upcomingBookings[row.centre_code] = Number(row.n);
    return activity;
  }
}
