import type { CentreRepository } from '../../centres/centre.repository';
import type { Centre } from '../../centres/domain/centre';
import type { Clock } from '../../shared/clock';
import type { SmsTemplate } from '../../notifications/notifier.port';
import type { BookingRepository, ReleasedBooking } from '../booking.repository';
import type { BookingRecord } from '../domain/booking';
import { REMINDER_LEAD_MS } from './book-appointment';
import type { BookingNotices } from './booking-notices';

const BATCH = 200;
/** The optional second reminder goes this long before the slot. */
export const HOUR_REMINDER_LEAD_MS = 60 * 60 * 1000;
const NO_SHOW_ACTOR = 'system:no-show';
/** Bounds one run, so a huge backlog is worked off over several runs rather than in one long one. */
const MAX_BATCHES = 20;

/**
 * The worker's appointment jobs: release no-shows (their places go back on sale) and send the
 * day-before reminders. Both are safe to run on several workers at once (SKIP LOCKED claims).
 */
export class BookingJobs {
  constructor(
    private readonly centres: CentreRepository,
    private readonly bookings: BookingRepository,
    private readonly notices: BookingNotices,
    private readonly clock: Clock,
    /** Agencies with their own appointment systems: a released booking is cancelled there too (never throws). */
    private readonly agencySync: { afterCancelled(booking: { id: string }, actor: string): Promise<void> },
  ) {}

  /** Bookings not checked in by slot start + grace become `no_show`; returns those released. */
  async releaseNoShows(): Promise<ReleasedBooking[]> {
    const released: ReleasedBooking[] = [];
    for (let i = 0; i < MAX_BATCHES; i++) {
      const batch = await this.bookings.releaseNoShows(this.clock.now(), BATCH, NO_SHOW_ACTOR);
      released.push(...batch);
      for (const booking of batch) await this.agencySync.afterCancelled(booking, NO_SHOW_ACTOR);
      if (batch.length < BATCH) break;
    }
    return released;
  }

  /** Sends one reminder to each booking whose slot starts within the next day; returns how many were sent. */
  sendReminders(): Promise<number> {
    return this.remind('booking-reminder', REMINDER_LEAD_MS, (now, until, limit) => this.bookings.claimReminders(now, until, limit));
  }

  /** The second reminder, an hour ahead, at the centres that chose it (issue 14.5). */
  sendHourReminders(): Promise<number> {
    return this.remind('booking-reminder-hour', HOUR_REMINDER_LEAD_MS, (now, until, limit) => this.bookings.claimHourReminders(now, until, limit));
  }

  private async remind(template: SmsTemplate, leadMs: number, claim: (now: Date, until: Date, limit: number) => Promise<BookingRecord[]>): Promise<number> {
    const centres = new Map<string, Centre | null>();
    let sent = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const now = this.clock.now();
      const due = await claim(now, new Date(now.getTime() + leadMs), BATCH);
      for (const booking of due) {
        if (!centres.has(booking.centreCode)) centres.set(booking.centreCode, await this.centres.findByCode(booking.centreCode));
        const centre = centres.get(booking.centreCode);
        if (centre && (await this.notices.send(template, booking, centre))) sent++;
      }
      if (due.length < BATCH) break;
    }
    return sent;
  }
}
