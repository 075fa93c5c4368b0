import { timeOrderedUuid } from '../../shared/uuid';
import type { AgencyNotices } from '../../agencies/agency-notices';
import type { ServiceNotice } from '../../agencies/domain/service-notice';
import type { CheckInBooking } from '../../bookings/use-cases/check-in-booking';
import { phoneLookupHash } from '../../bookings/domain/booking';
import { normaliseBookingReference } from '../../bookings/domain/booking-reference';
import { offers, type Centre } from '../../centres/domain/centre';
import { localDate } from '../../centres/domain/local-time';
import type { Clock } from '../../shared/clock';
import type { PersonalDataVault } from '../../shared/personal-data';
import { DomainError } from '../../shared/errors';
import type { BoardFeed } from '../board-feed';
import { openForWalkIns } from '../domain/opening';
import type { TicketRequest as TicketRequestBody } from '../../../contracts/src/message.types';
import { ticketRequest, type TicketRequest } from '../domain/queue-requests';
import { APPOINTMENT_LEAD_MINUTES, toTicketView, type Ticket, type TicketView } from '../domain/ticket';
import { keyReused } from '../../idempotency/domain/idempotent-request';
import type { PlanTicket, TicketPlan, TicketRepository } from '../ticket.repository';
import { authorize, type Actor } from '../../authorization';
import { centreNamed, type CentreDirectory } from './queue-access';

export interface IssuedTicket extends TicketView {
  /** 1 = next for its service; null once the ticket is no longer waiting (a replayed request). */
  position: number | null;
  estimatedWaitSeconds: number | null;
  /** Present while the service's agency is down: what the citizen will get at the counter. */
  agencyNotice?: ServiceNotice;
}

export interface IssueTicketCommand {
  centreCode: string;
  /** Valid against ticket-request.v1.json (checked at the edge). */
  body: TicketRequestBody;
  caller: Actor;
  idempotencyKey?: string;
}

/**
 * POST /v1/centres/{code}/tickets: a walk-in ticket for a service and priority class, or the
 * priority ticket of a booking being checked in. Numbered per service letter per centre per day.
 */
export class IssueTicket {
  constructor(
    private readonly centres: CentreDirectory,
    private readonly tickets: TicketRepository,
    private readonly checkIn: Pick<CheckInBooking, 'checkInBooking'>,
    private readonly board: BoardFeed,
    private readonly clock: Clock,
    private readonly notices: Pick<AgencyNotices, 'forService'>,
    private readonly vault: Pick<PersonalDataVault, 'seal' | 'lookupHash'>,
  ) {}

  async execute(command: IssueTicketCommand): Promise<{ ticket: IssuedTicket; created: boolean }> {
    const request = ticketRequest(command.body);
    authorize(command.caller, 'ticket.issue');
    const centre = await centreNamed(this.centres, command.centreCode);
    authorize(command.caller, 'ticket.issue', { centre: centre.code });
    const now = this.clock.now();

    let plan: TicketPlan | PlanTicket;
    let bookingRef: string | null = null;
    if (request.kind === 'walk-in') {
      const letter = letterFor(centre, request.serviceCode, '/service');
      const open = openForWalkIns(centre, now);
      if (!open.open) {
        throw new DomainError('conflict', 'centre-closed', `${centre.code} takes no new walk-in tickets now: ${open.reason}.`);
      }
      plan = { serviceCode: request.serviceCode, letter, priorityClass: request.priority, bookingRef: null, slotStart: null };
    } else {
      bookingRef = normaliseBookingReference(request.bookingReference) ?? request.bookingReference.toUpperCase();
      plan = async (db) => {
        const booking = await this.checkIn.checkInBooking(request.bookingReference, now, { centreCode: centre.code, actor: command.caller.subject, client: db });
        return {
          serviceCode: booking.serviceCode,
          letter: letterFor(centre, booking.serviceCode),
          priorityClass: 'appointment',
          bookingRef: booking.reference,
          slotStart: booking.slotStart,
        };
      };
    }

    const { ticket, created } = await this.tickets.issue(
      {
        id: timeOrderedUuid(now),
        centreCode: centre.code,
        localDay: localDate(now, centre.timeZone),
        arrivedAt: now,
        issuedBy: command.caller.subject,
        idempotencyScope: command.idempotencyKey ? command.caller.subject : null,
        idempotencyKey: command.idempotencyKey ?? null,
        bookingRef,
        ...(request.kind === 'walk-in' && request.phone
          ? { phoneSealed: this.vault.seal(request.phone), phoneHash: phoneLookupHash(this.vault, request.phone) }
          : { phoneSealed: null, phoneHash: null }),
      },
      plan,
      // The repository adds the ticket's `number` to the data.
      (issued) => ({
        type: 'issued',
        centreCode: issued.centreCode,
        localDay: issued.localDay,
        serviceCode: issued.serviceCode,
        occurredAt: now,
        actor: command.caller.subject,
        data: {
          kind: issued.priorityClass === 'appointment' ? 'appointment' : 'walk_in',
          priority: issued.priorityClass,
          arrivedAt: issued.arrivedAt.toISOString(),
        },
      }),
    );
    // The ticket found by its key is the answer only to the same request. The key's own record says so
    // while it is kept (core/idempotency); once retention has purged it, the ticket is all there is.
    if (!created && command.idempotencyKey && !answers(ticket, centre.code, request, bookingRef)) throw keyReused();
    if (created) await this.board.changed(centre.code, now);
    const place = ticket.state === 'waiting' ? await this.tickets.position(ticket, now, APPOINTMENT_LEAD_MINUTES) : null;
    // The ticket is issued whatever the agency's state: the citizen is told what to expect.
    const agencyNotice = await this.notices.forService(ticket.serviceCode, centre.timeZone);
    return {
      ticket: {
        ...toTicketView(ticket),
        position: place?.position ?? null,
        estimatedWaitSeconds: place?.estimatedWaitSeconds ?? null,
        ...(agencyNotice ? { agencyNotice } : {}),
      },
      created,
    };
  }
}

/** The service's ticket letter at the centre; a service it does not offer is named in `field` (or is a conflict for a booking). */
export function letterFor(centre: Centre, serviceCode: string, field?: string): string {
  const service = offers(centre, serviceCode);
  if (!service) {
    if (field) {
      throw new DomainError('invalid', 'service-not-offered', `${centre.code} does not offer the service ${serviceCode}.`, {
        errors: [{ field, message: `is not offered at ${centre.code}` }],
      });
    }
    throw new DomainError('conflict', 'service-not-offered', `${centre.code} no longer offers the service ${serviceCode}.`);
  }
  if (!service.ticketLetter) {
    throw new DomainError('conflict', 'service-not-queued', `${serviceCode} has no ticket letter at ${centre.code}; an administrator must assign one.`);
  }
  return service.ticketLetter;
}

/** Whether a ticket already issued is the one this request asks for: the same centre, and the same service and priority or booking. */
function answers(ticket: Ticket, centreCode: string, request: TicketRequest, bookingRef: string | null): boolean {
  if (ticket.centreCode !== centreCode) return false;
  if (request.kind === 'walk-in') return ticket.bookingRef === null && ticket.serviceCode === request.serviceCode && ticket.priorityClass === request.priority;
  return ticket.bookingRef === bookingRef;
}
