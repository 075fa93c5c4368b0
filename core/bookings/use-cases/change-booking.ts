import { parseOffsetDateTime } from '../../../contracts/src/calendar';
import type { CentreCache } from '../../centres/centre-cache';
import type { CentreRepository } from '../../centres/centre.repository';
import type { Clock } from '../../shared/clock';
import type { BookingReschedule } from '../../../contracts/src/message.types';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { BookingRepository } from '../booking.repository';
import { toBookingView, type BookingView } from '../booking.view';
import { authorize, type Actor } from '../../authorization';
import { resolveSlot } from '../domain/slot-rules';
import type { BookingRecord, SlotChoice } from '../domain/booking';
import type { BookingNotices } from './booking-notices';
import { visibleBooking } from './find-booking';
import { loadCentre, onCurrentCentre } from './load-centre';
import { assertOutsideMaintenance, NO_MAINTENANCE, type MaintenanceCalendar } from '../maintenance-calendar';

/** POST /v1/bookings/{ref}/cancel and /reschedule. */
export class ChangeBooking {
  constructor(
    private readonly centres: CentreRepository,
    /** A move's centre, as a booking's (BookAppointment): the move's transaction refuses a copy a change made stale. */
    private readonly centreCopies: CentreCache,
    private readonly bookings: BookingRepository,
    private readonly vault: PersonalDataVault,
    private readonly notices: BookingNotices,
    private readonly clock: Clock,
    /** Agencies with their own appointment systems: cancel there too (never throws); move there too (throws to refuse, after moving back). */
    private readonly agencySync: {
      afterCancelled(booking: BookingRecord, actor: string): Promise<void>;
      afterRescheduled(moved: BookingRecord, from: SlotChoice, actor: string): Promise<void>;
    },
    private readonly maintenance: MaintenanceCalendar = NO_MAINTENANCE,
  ) {}

  async cancel(reference: string, actor: Actor): Promise<BookingView> {
    const current = await this.changeable(reference, actor);
    return toBookingView(await this.cancelBooking(current, actor.subject), this.vault, false);
  }

  /** Body `{ slotStart }`: another slot of the same centre and service, all-or-nothing. */
  async reschedule(reference: string, change: BookingReschedule, actor: Actor): Promise<BookingView> {
    // Valid at the edge (format offset-date-time), so it names an instant.
    const slotStart = parseOffsetDateTime(change.slotStart)!;
    const current = await this.changeable(reference, actor);
    return toBookingView(await this.moveBooking(current, slotStart, actor.subject), this.vault, false);
  }

  /** Cancels a booking whose change the caller was already allowed (here, or by a bulk action): place released, audited, SMS. */
  async cancelBooking(current: BookingRecord, actor: string, extra: Record<string, unknown> = {}): Promise<BookingRecord> {
    const now = this.clock.now();
    const cancelled = await this.bookings.cancel(current.reference, now, (b) => ({
      entityType: 'booking',
      entityId: b.reference,
      type: 'cancelled',
      actor,
      data: { centre: b.centreCode, service: b.serviceCode, slotStart: b.slotStart.toISOString(), ...extra },
      occurredAt: now,
    }));
    await this.agencySync.afterCancelled(cancelled, actor);
    const centre = await loadCentre(this.centres, cancelled.centreCode);
    await this.notices.send('booking-cancelled', cancelled, centre);
    return cancelled;
  }

  /**
   * Moves a booking whose change the caller was already allowed: the same guarded statement as any
   * reschedule, so capacity holds. The target is decided on the centre read with its version, which
   * the move's transaction checks (as a booking's statement does): a centre changed meanwhile is
   * read again and the target decided again on it.
   */
  async moveBooking(current: BookingRecord, slotStart: Date, actor: string, extra: Record<string, unknown> = {}): Promise<BookingRecord> {
    const first = await loadCentre(this.centreCopies, current.centreCode);
    const { moved, to, centre } = await onCurrentCentre(
      this.centreCopies,
      first,
      undefined,
      async ({ centre, version }) => {
        const now = this.clock.now();
        const to = resolveSlot(centre, current.serviceCode, slotStart, now, '/slotStart', '/slotStart');
        await assertOutsideMaintenance(this.maintenance, current.serviceCode, to, '/slotStart');
        const moved = await this.bookings.reschedule(current.reference, to, version, now, (from) => ({
          entityType: 'booking',
          entityId: from.reference,
          type: 'rescheduled',
          actor,
          data: { centre: from.centreCode, service: from.serviceCode, from: from.slotStart.toISOString(), to: to.start.toISOString(), ...extra },
          occurredAt: now,
        }));
        return { moved, to, centre };
      },
    );
    if (moved.reschedules === current.reschedules) return moved;
    const from: SlotChoice = { ...to, start: current.slotStart, end: current.slotEnd, localDate: current.localDate };
    await this.agencySync.afterRescheduled(moved, from, actor);
    await this.notices.send('booking-rescheduled', moved, centre);
    return moved;
  }

  /** Changing shows the booking masked: only an explicit read (FindBookings) shows it unmasked, audited. */
  private async changeable(reference: string, actor: Actor) {
    authorize(actor, 'booking.change');
    return visibleBooking(this.bookings, reference, actor, 'booking.change');
  }
}
