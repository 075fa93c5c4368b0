import type { BookingRepository } from '../bookings/booking.repository';
import type { Actor } from '../authorization';
import type { BookingCitizen } from '../bookings/domain/booking';
import type { BookAppointment } from '../bookings/use-cases/book-appointment';
import { smsWhen } from '../bookings/use-cases/booking-notices';
import type { ChangeBooking } from '../bookings/use-cases/change-booking';
import type { ListFreeSlots } from '../bookings/use-cases/list-free-slots';
import type { CentreRepository } from '../centres/centre.repository';
import { DEFAULT_TIME_ZONE, offers, type Centre } from '../centres/domain/centre';
import { addDays, localDate, localParts } from '../centres/domain/local-time';
import { closureOn } from '../bookings/domain/slot-rules';
import type { Catalogue } from '../../contracts/src/catalogue';
import type { Clock } from '../shared/clock';
import { DomainError } from '../shared/errors';
import type { PersonalDataVault } from '../shared/personal-data';
import type { UssdOption } from './domain/ussd-state';
import type { UssdAppointments, UssdBookingRequest } from './ussd-appointments.port';

/** Whoever books over USSD acts as the USSD channel (like the portal's service account). */
export const USSD_ACTOR: Actor = { subject: 'channel:ussd', roles: ['channel'] };

/** More days than this are more than a citizen scrolls through on a feature phone. */
const MAX_DAYS = 14;
/** Centres change rarely; a USSD screen must answer fast. */
const DIRECTORY_TTL_MS = 10_000;
const MAX_BOOKINGS_LOOKED_UP = 20;

/** Local dates are calendar days: formatted at noon UTC they never shift to a neighbour. */
const DAY_FORMAT = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' });

/** `Tue 24 Nov` for a local date. */
function dayLabel(date: string): string {
  return DAY_FORMAT.format(new Date(`${date}T12:00:00Z`));
}

/** The menu's view of Service by Appointment, built on its use cases: no booking rule is repeated here. */
export class UssdAppointmentsService implements UssdAppointments {
  private directory: { loadedAt: number; centres: Centre[] } | null = null;

  constructor(
    private readonly centreRepository: CentreRepository,
    private readonly bookings: BookingRepository,
    private readonly freeSlotsOf: ListFreeSlots,
    private readonly bookAppointment: BookAppointment,
    private readonly changeBooking: ChangeBooking,
    private readonly catalogue: Pick<Catalogue, 'service' | 'services'>,
    private readonly vault: PersonalDataVault,
    private readonly clock: Clock,
  ) {}

  async services(): Promise<UssdOption[]> {
    const centres = await this.allCentres();
    return this.catalogue
      .services()
      .filter((s) => centres.some((c) => bookable(c, s.code)))
      .map((s) => ({ value: s.code, label: s.name }));
  }

  async counties(serviceCode: string): Promise<string[]> {
    const centres = (await this.allCentres()).filter((c) => bookable(c, serviceCode));
    return [...new Set(centres.map((c) => c.county))].sort();
  }

  async centres(serviceCode: string, county: string): Promise<UssdOption[]> {
    return (await this.allCentres())
      .filter((c) => c.county === county && bookable(c, serviceCode))
      .map((c) => ({ value: c.code, label: c.name }));
  }

  async days(centreCode: string): Promise<UssdOption[]> {
    const centre = (await this.allCentres()).find((c) => c.code === centreCode);
    if (!centre) return [];
    const today = localDate(this.clock.now(), centre.timeZone);
    const days: UssdOption[] = [];
    for (let i = 0; i <= Math.min(centre.bookingHorizonDays, MAX_DAYS); i += 1) {
      const date = addDays(today, i);
      if (!closureOn(centre, date)) days.push({ value: date, label: dayLabel(date) });
    }
    return days;
  }

  async freeSlots(centreCode: string, serviceCode: string, date: string): Promise<UssdOption[]> {
    const free = await this.freeSlotsOf.execute({ centreCode, serviceCode, date });
    return free.slots.map((s) => ({ value: s.start, label: localParts(new Date(s.start), free.timeZone).time }));
  }

  async book(request: UssdBookingRequest): Promise<{ reference: string }> {
    try {
      const booking = await this.bookAppointment.execute(
        {
          centre: request.centreCode,
          service: request.serviceCode,
          slotStart: request.slotStart,
          citizen: { idNumber: request.idNumber, phone: request.phone },
          channel: 'ussd',
        },
        USSD_ACTOR,
      );
      return { reference: booking.reference };
    } catch (error) {
      if (error instanceof DomainError && error.code === 'already-booked' && !(await this.heldByPhone(request))) {
        throw new DomainError('conflict', 'already-booked-elsewhere', 'The ID number holds a booking for this service that day, made from another phone.');
      }
      throw error;
    }
  }

  /** Whether the ID number's active booking for the service on the request's day was made for this phone. */
  private async heldByPhone(request: UssdBookingRequest): Promise<boolean> {
    const centre = (await this.allCentres()).find((c) => c.code === request.centreCode);
    const timeZone = centre?.timeZone ?? DEFAULT_TIME_ZONE;
    const day = localDate(new Date(request.slotStart), timeZone);
    const records = await this.bookings.findByCitizen(this.vault.lookupHash(request.idNumber), { limit: MAX_BOOKINGS_LOOKED_UP });
    return records.some(
      (b) =>
        b.status === 'booked' &&
        b.serviceCode === request.serviceCode &&
        localDate(b.slotStart, timeZone) === day &&
        this.vault.openCitizen<BookingCitizen>(b).phone === request.phone,
    );
  }

  async upcoming(idNumber: string, phone: string): Promise<UssdOption[]> {
    const now = this.clock.now().getTime();
    const records = await this.bookings.findByCitizen(this.vault.lookupHash(idNumber), { limit: MAX_BOOKINGS_LOOKED_UP });
    const centres = await this.allCentres();
    return (
      records
        .filter((b) => b.status === 'booked' && b.slotStart.getTime() > now)
        // Knowing someone's ID number is not enough: only bookings made for this phone are shown.
        .filter((b) => this.vault.openCitizen<BookingCitizen>(b).phone === phone)
        .sort((a, b) => a.slotStart.getTime() - b.slotStart.getTime())
        .map((b) => {
          const timeZone = centres.find((c) => c.code === b.centreCode)?.timeZone ?? DEFAULT_TIME_ZONE;
          const service = this.catalogue.service(b.serviceCode)?.name ?? b.serviceCode;
          return { value: b.reference, label: `${b.reference} ${smsWhen(b.slotStart, timeZone)} ${service}` };
        })
    );
  }

  async cancel(reference: string): Promise<void> {
    await this.changeBooking.cancel(reference, USSD_ACTOR);
  }

  private async allCentres(): Promise<Centre[]> {
    const now = Date.now();
    if (this.directory && now - this.directory.loadedAt < DIRECTORY_TTL_MS) return this.directory.centres;
    const summaries = await this.centreRepository.list();
    const centres: Centre[] = [];
    for (const summary of summaries) {
      const centre = await this.centreRepository.findByCode(summary.code);
      if (centre) centres.push(centre);
    }
    this.directory = { loadedAt: now, centres };
    return centres;
  }
}

function bookable(centre: Centre, serviceCode: string): boolean {
  return (offers(centre, serviceCode)?.slotCapacity ?? 0) > 0;
}
