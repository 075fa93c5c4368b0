import { timeOrderedUuid } from '../../shared/uuid';
import type { CentreCache } from '../../centres/centre-cache';
import type { VersionedCentre } from '../../centres/centre.repository';
import type { Clock } from '../../shared/clock';
import { DomainError } from '../../shared/errors';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { BookingRepository } from '../booking.repository';
import { toBookingView, type BookingView } from '../booking.view';
import { authorize, type Actor } from '../../authorization';
import { newBookingReference } from '../domain/booking-reference';
import type { BookingRecord } from '../domain/booking';
import { resolveSlot } from '../domain/slot-rules';
import { assertOutsideMaintenance, NO_MAINTENANCE, type MaintenanceCalendar } from '../maintenance-calendar';
import type { BookingNotices, ServiceNames } from './booking-notices';
import { loadCentre, onCurrentCentre } from './load-centre';
import { bookingRequest, type BookingRequest } from './booking-request';
import type { NewBooking } from '../../../contracts/src/message.types';
import type { InlineAnswer } from '../../idempotency/domain/idempotent-request';

/** A reminder is due this long before the slot; a booking made later than that gets none. */
export const REMINDER_LEAD_MS = 24 * 60 * 60 * 1000;

/** POST /v1/bookings: takes a place in a slot (or refuses with the rule it breaks) and confirms by SMS. */
export class BookAppointment {
  constructor(
    /** The centre comes from memory; the booking's statement refuses a copy a change made stale. */
    private readonly centres: CentreCache,
    private readonly bookings: BookingRepository,
    private readonly services: ServiceNames,
    private readonly vault: PersonalDataVault,
    private readonly notices: BookingNotices,
    private readonly clock: Clock,
    /** Agencies with their own appointment systems: reserve there before confirming (throws to refuse). */
    private readonly agencySync: { afterBooked(booking: BookingRecord, actor: string): Promise<void>; reservesFor(serviceCode: string): boolean },
    private readonly maintenance: MaintenanceCalendar = NO_MAINTENANCE,
  ) {}

  /**
   * `inline`: the caller's Idempotency-Key, claimed in the booking's statement and answered there
   * too unless an agency must still reserve the appointment (its refusal undoes the booking, and a
   * refused request stores no answer): a booking is then one statement, not three (issue 13).
   */
  async execute(body: NewBooking, actor: Actor, inline?: InlineAnswer<BookingView>): Promise<BookingView> {
    const request = bookingRequest(body);
    // One decision with the centre the body names, before it is looked up: a caller refused the
    // action or that centre learns nothing of it (the centre found is the one of that code).
    authorize(actor, 'booking.create', { centre: request.centre });
    const first = await loadCentre(this.centres, request.centre, '/centre');
    if (!this.services.service(request.service)) {
      throw new DomainError('invalid', 'service-unknown', `There is no service ${request.service}.`, { errors: [{ field: '/service', message: 'unknown service' }] });
    }
    // A refusal of the copy reads the centre again: its hours and capacity decide again, as for a first try.
    return onCurrentCentre(this.centres, first, '/centre', (current) => this.book(request, current, actor, inline));
  }

  private async book(request: BookingRequest, current: VersionedCentre, actor: Actor, inline?: InlineAnswer<BookingView>): Promise<BookingView> {
    const { centre, version } = current;
    const now = this.clock.now();
    const slot = resolveSlot(centre, request.service, request.slotStart, now, '/slotStart', '/service');
    await assertOutsideMaintenance(this.maintenance, request.service, slot, '/slotStart');
    const claiming = inline?.key.inline ? inline : undefined;
    const answered = claiming && !this.agencySync.reservesFor(request.service);
    // The view is built once per record: the one stored as the answer is the one returned. The
    // citizen is the one in the request: the sealed copy just written need not be opened (twice).
    let view: { booking: BookingRecord; view: BookingView } | undefined;
    const viewOf = (booking: BookingRecord): BookingView => {
      if (view?.booking !== booking) view = { booking, view: toBookingView(booking, this.vault, false, request.citizen) };
      return view.view;
    };
    // The booking's own key: erasing the citizen destroys it, and with it every copy of what it sealed.
    const dataKey = this.vault.newDataKey();
    const booked = await this.bookings.insert(
      {
        id: timeOrderedUuid(now),
        reference: newBookingReference(),
        centreCode: centre.code,
        serviceCode: request.service,
        slotStart: slot.start,
        slotEnd: slot.end,
        localDate: slot.localDate,
        citizenIdHash: this.vault.lookupHash(request.citizen.idNumber),
        citizenSealed: this.vault.seal(request.citizen, dataKey),
        dataKeySealed: dataKey.sealed,
        channel: request.channel,
        bookedBy: actor.subject,
        // Booked within a day of the slot: the confirmation is the reminder.
        reminderSentAt: slot.start.getTime() - now.getTime() <= REMINDER_LEAD_MS ? now : null,
        createdAt: now,
      },
      slot,
      version,
      {
        entityType: 'booking',
        entityId: '', // the reference, set by the repository once it is drawn
        type: 'booked',
        actor: actor.subject,
        data: { centre: centre.code, service: request.service, slotStart: slot.start.toISOString(), channel: request.channel },
        occurredAt: now,
      },
      claiming && { request: claiming.key.request, answerFor: answered ? (booking) => claiming.answerFor(viewOf(booking)) : undefined },
    );
    if (claiming) {
      claiming.key.claimed = true;
      claiming.key.answered = answered === true;
    }
    await this.agencySync.afterBooked(booked, actor.subject);
    await this.notices.send('booking-confirmed', booked, centre, undefined, request.citizen);
    return viewOf(booked);
  }
}
