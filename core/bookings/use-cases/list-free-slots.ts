import type { CentreRepository } from '../../centres/centre.repository';
import type { Clock } from '../../shared/clock';
import { DomainError } from '../../shared/errors';
import type { BookingRepository } from '../booking.repository';
import { bookableCapacity, checkBookableDate, closureOn, slotsOfDay, type DayClosure } from '../domain/slot-rules';
import type { ServiceNames } from './booking-notices';
import { loadCentre } from './load-centre';
import { NO_MAINTENANCE, overlapsWindow, type MaintenanceCalendar } from '../maintenance-calendar';

export interface FreeSlot {
  start: string;
  end: string;
  capacity: number;
  available: number;
}

export interface FreeSlots {
  centre: string;
  service: string;
  date: string;
  timeZone: string;
  /** Why there are no slots at all that day. */
  closed?: DayClosure;
  /** Slots not yet started with at least one place left. */
  slots: FreeSlot[];
}

/** GET /v1/centres/{code}/slots?service=&date= */
export class ListFreeSlots {
  constructor(
    private readonly centres: CentreRepository,
    private readonly bookings: BookingRepository,
    private readonly services: ServiceNames,
    private readonly clock: Clock,
    private readonly maintenance: MaintenanceCalendar = NO_MAINTENANCE,
  ) {}

  /** The query is valid against free-slots-query.v1.json (at the edge) or comes from the USSD menu. */
  async execute(input: { centreCode: string; serviceCode: string; date: string }): Promise<FreeSlots> {
    const { serviceCode, date } = input;
    const centre = await loadCentre(this.centres, input.centreCode);
    if (!this.services.service(serviceCode)) {
      throw new DomainError('invalid', 'service-unknown', `There is no service ${serviceCode}.`, { errors: [{ field: 'query:service', message: 'unknown service' }] });
    }
    const capacity = bookableCapacity(centre, serviceCode, 'query:service');
    const now = this.clock.now();
    checkBookableDate(centre, date, now, 'query:date');
    const result: FreeSlots = { centre: centre.code, service: serviceCode, date, timeZone: centre.timeZone, slots: [] };
    const closure = closureOn(centre, date);
    if (closure) return { ...result, closed: closure };
    const day = slotsOfDay(centre, date);
    if (day.length === 0) return result;
    const usage = await this.bookings.slotUsage(centre.code, serviceCode, day[0].start, day[day.length - 1].end);
    const byStart = new Map(usage.map((u) => [u.start.getTime(), u]));
    const window = await this.maintenance.windowFor(serviceCode);
    for (const slot of day) {
      if (slot.start.getTime() <= now.getTime() || overlapsWindow(slot, window)) continue;
      const used = byStart.get(slot.start.getTime());
      const slotCapacity = used?.capacity ?? capacity;
      const available = slotCapacity - (used?.booked ?? 0);
      if (available > 0) result.slots.push({ start: slot.start.toISOString(), end: slot.end.toISOString(), capacity: slotCapacity, available });
    }
    return result;
  }
}
