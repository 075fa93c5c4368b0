/** What the centres hold right now, for the operations room (metrics, the /ops page). */
export interface CentreActivity {
  /** Centre → service → citizens with a ticket, waiting to be called. */
  waitingTickets: Record<string, Record<string, number>>;
  /** Centre → bookings still to come (status `booked`, slot starting at or after `now`). */
  upcomingBookings: Record<string, number>;
}

/** Counts over queue tickets and bookings; the pg implementation lives in ./pg. */
export abstract class CentreActivityQuery {
  abstract current(now: Date): Promise<CentreActivity>;
}
