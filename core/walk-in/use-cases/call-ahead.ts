import type { BookingCitizen } from '../../bookings/domain/booking';
import type { BookingRepository } from '../../bookings/booking.repository';
import type { NoticeChoices, NoticeChoicesRepository } from '../../centres/notice-choices';
import type { NoticeOutbox } from '../../notifications/notice-outbox';
import { renderSms } from '../../notifications/sms-templates';
import type { PersonalDataVault } from '../../shared/personal-data';
import { APPOINTMENT_LEAD_MINUTES, ticketNumber } from '../domain/ticket';
import type { TicketRepository } from '../ticket.repository';
import type { CentreDirectory } from './queue-access';

/**
 * After a call: tickets of the same service that are now within the centre's `callAheadPlaces` of
 * being called get one SMS each (issue 14.5), when the centre chose it and the holder's phone is
 * known (a checked-in booking's, or the one a walk-in gave). Never throws: the call is made.
 *
 * The SMS is written to the citizen-notice outbox, which the worker sends with retries: the counter's
 * call never waits for the SMS provider (up to its 5 s timeout), and a provider failure is tried
 * again instead of losing the text the claim has already spent.
 */
export class CallAhead {
  constructor(
    private readonly centres: CentreDirectory,
    private readonly choices: Pick<NoticeChoicesRepository, 'find'>,
    private readonly tickets: Pick<TicketRepository, 'waitingToCallAhead' | 'position' | 'claimCallAhead'>,
    private readonly bookings: Pick<BookingRepository, 'findByReference'>,
    private readonly outbox: Pick<NoticeOutbox, 'enqueue'>,
    private readonly vault: PersonalDataVault,
  ) {}

  /**
   * Returns how many SMS were queued. `choice`: the centre's callAheadPlaces when the caller read it
   * already (call-next does, with the call); else it is read here.
   */
  async afterCall(centreCode: string, serviceCode: string, at: Date, choice?: Pick<NoticeChoices, 'callAheadPlaces'>): Promise<number> {
    try {
      const { callAheadPlaces } = choice ?? (await this.choices.find(centreCode));
      const centre = callAheadPlaces === null ? null : await this.centres.findByCode(centreCode);
      if (callAheadPlaces === null || !centre) return 0;
      let queued = 0;
      for (const { ticket, phoneSealed } of await this.tickets.waitingToCallAhead(centre.code, serviceCode)) {
        const { position } = await this.tickets.position(ticket, at, APPOINTMENT_LEAD_MINUTES);
        if (position > callAheadPlaces) continue;
        const phone = await this.phoneOf(ticket.bookingRef, phoneSealed);
        // Claimed before sending: two api replicas calling at once text a ticket at most once.
        if (!phone || !(await this.tickets.claimCallAhead(ticket.id, at))) continue;
        const where = position === 1 ? 'is next to be called' : `is ${position} places from being called`;
        const text = renderSms('ticket-call-ahead', { centre: centre.name, number: ticketNumber(ticket.letter, ticket.number), where });
        if (await this.outbox.enqueue({ kind: 'ticket-call-ahead', text, phone })) queued++;
      }
      return queued;
    } catch {
      return 0;
    }
  }

  private async phoneOf(bookingRef: string | null, phoneSealed: Buffer | null): Promise<string | null> {
    if (phoneSealed) return this.vault.open<string>(phoneSealed);
    const booking = bookingRef ? await this.bookings.findByReference(bookingRef) : null;
    return booking ? this.vault.openCitizen<BookingCitizen>(booking).phone : null;
  }
}
