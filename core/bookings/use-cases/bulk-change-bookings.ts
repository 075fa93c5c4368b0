import { randomUUID } from 'node:crypto';
import type { Catalogue } from '../../../contracts/src/catalogue';
import type { BookingBulkChange } from '../../../contracts/src/message.types';
import type { NewAuditEvent } from '../../audit/audit-event';
import { addDays, localDate } from '../../centres/domain/local-time';
import type { CentreRepository } from '../../centres/centre.repository';
import type { Clock } from '../../shared/clock';
import { DomainError } from '../../shared/errors';
import type { BookingRepository } from '../booking.repository';
import { authorize, type Actor } from '../../authorization';
import type { BookingRecord } from '../domain/booking';
import type { ChangeBooking } from './change-booking';
import type { ListFreeSlots } from './list-free-slots';
import { smsWhen, type BookingNotices } from './booking-notices';

export type BulkOutcome = 'would-move' | 'would-cancel' | 'moved' | 'cancelled' | 'no-free-slot' | 'failed';

export interface BulkChangeItem {
  reference: string;
  centre: string;
  service: string;
  slotStart: string;
  outcome: BulkOutcome;
  /** The slot it moved (or would move) to. */
  movedTo: string | null;
}

export interface BulkChangeResult {
  id: string;
  action: 'move' | 'cancel';
  dryRun: boolean;
  items: BulkChangeItem[];
}

/** One action moves or cancels at most this many bookings; a larger window is done in several. */
const MAX_BOOKINGS = 500;
/** How many days after the window the nearest free slot is looked for. */
const SEARCH_DAYS = 14;

/**
 * A manager's one action over every booking in a window (issue 14.2): an agency's maintenance, or a
 * centre closing unexpectedly (power, network). `move` puts each booking in the nearest free slot
 * after the window (same centre and service), each through the guarded reschedule statement, so
 * capacity stays exact; `cancel` releases each place. Every citizen gets the usual SMS, every
 * booking its audit event, and the action itself one audit event with its counts. `dryRun` lists
 * the bookings and the slots they would go to, changing nothing.
 */
export class BulkChangeBookings {
  constructor(
    private readonly bookings: Pick<BookingRepository, 'bookedBetween' | 'claimMaintenanceOffer'>,
    private readonly change: Pick<ChangeBooking, 'moveBooking' | 'cancelBooking'>,
    private readonly slots: Pick<ListFreeSlots, 'execute'>,
    private readonly centres: Pick<CentreRepository, 'findByCode'>,
    private readonly catalogue: Pick<Catalogue, 'agency'>,
    private readonly audit: (event: NewAuditEvent) => Promise<void>,
    private readonly clock: Clock,
    private readonly notices: Pick<BookingNotices, 'send'>,
  ) {}

  /** `body` is valid against booking-bulk-change.v1.json (checked at the edge). */
  async execute(body: BookingBulkChange, actor: Actor): Promise<BulkChangeResult> {
    const from = new Date(body.from);
    const to = new Date(body.to);
    if (to.getTime() <= from.getTime()) throw invalid('/to', 'must be after from');
    if (!body.centre && !body.agency) throw invalid('/centre', 'is required when no agency is given');
    const scope = authorize(actor, 'booking.bulk-change');
    if (scope.centre !== undefined && body.centre !== scope.centre) {
      throw new DomainError('forbidden', 'bulk-change-other-centre', 'A manager bound to a centre may only change bookings at that centre (name it in `centre`).');
    }
    const agency = body.agency ? this.catalogue.agency(body.agency) : undefined;
    if (body.agency && !agency) throw invalid('/agency', 'is not an agency of the catalogue');
    const serviceCodes = agency?.services.map((s) => s.code);
    if (body.centre && !(await this.centres.findByCode(body.centre))) throw new DomainError('not_found', 'centre-not-found', `There is no centre ${body.centre}.`);

    const affected = await this.bookings.bookedBetween({ centreCode: body.centre, serviceCodes, from, to }, MAX_BOOKINGS + 1);
    if (affected.length > MAX_BOOKINGS) throw invalid('/to', `covers more than ${MAX_BOOKINGS} bookings: act on a shorter window`);
    const id = randomUUID();
    const dryRun = body.dryRun ?? false;
    const taken = new Map<string, number>(); // places this action would take, per slot, for a dry run
    const items: BulkChangeItem[] = [];
    for (const booking of affected) {
      const item: BulkChangeItem = { reference: booking.reference, centre: booking.centreCode, service: booking.serviceCode, slotStart: booking.slotStart.toISOString(), outcome: 'failed', movedTo: null };
      items.push(item);
      const extra = { bulkAction: id, reason: body.reason };
      if (body.action === 'cancel') {
        item.outcome = dryRun ? 'would-cancel' : await this.attempt(() => this.change.cancelBooking(booking, actor.subject, extra), 'cancelled');
        continue;
      }
      const slot = await this.nearestFreeSlot(booking, to, dryRun ? taken : null);
      if (!slot) {
        item.outcome = 'no-free-slot';
        continue;
      }
      item.movedTo = slot;
      if (dryRun) {
        item.outcome = 'would-move';
        take(taken, booking, slot);
      } else {
        item.outcome = await this.attempt(() => this.change.moveBooking(booking, new Date(slot), actor.subject, extra), 'moved');
        if (item.outcome !== 'moved') item.movedTo = null;
      }
    }
    if (!dryRun) {
      const count = (outcome: BulkOutcome) => items.filter((i) => i.outcome === outcome).length;
      await this.audit({
        entityType: 'booking-bulk-change',
        entityId: id,
        type: body.action === 'move' ? 'bulk_moved' : 'bulk_cancelled',
        actor: actor.subject,
        data: {
          centre: body.centre ?? null,
          agency: body.agency ?? null,
          from: from.toISOString(),
          to: to.toISOString(),
          reason: body.reason,
          moved: count('moved'),
          cancelled: count('cancelled'),
          noFreeSlot: count('no-free-slot'),
          failed: count('failed'),
        },
        occurredAt: this.clock.now(),
      });
    }
    return { id, action: body.action, dryRun, items };
  }

  /**
   * GET /v1/agencies/{code}/maintenance/bookings: the bookings inside the agency's scheduled window
   * and where a move would put each (a dry run; a manager bound to a centre sees that centre's only).
   */
  async plannedMoves(agencyCode: string, window: { start: Date; end: Date } | null | undefined, actor: Actor): Promise<BulkChangeResult> {
    if (!window) throw new DomainError('conflict', 'no-maintenance-window', `${agencyCode} has no maintenance window scheduled.`);
    const centre = authorize(actor, 'booking.bulk-change').centre;
    return this.execute(
      { action: 'move', agency: agencyCode, centre, from: window.start.toISOString(), to: window.end.toISOString(), reason: 'listing', dryRun: true },
      actor,
    );
  }

  /**
   * When an agency's maintenance window is scheduled: each citizen booked inside it is told by SMS
   * which free slot after the window the booking would move to (places shared out in slot order),
   * before a manager moves them all (`move`) or the citizen changes it. Once per booking and window
   * (claimed before sending): scheduling the same window again, or on two replicas, texts nobody twice.
   * Returns how many were told.
   */
  async offer(agencyCode: string, window: { start: Date; end: Date }): Promise<number> {
    const agency = this.catalogue.agency(agencyCode);
    if (!agency) return 0;
    const affected = await this.bookings.bookedBetween({ serviceCodes: agency.services.map((s) => s.code), from: window.start, to: window.end }, MAX_BOOKINGS);
    const taken = new Map<string, number>();
    let told = 0;
    for (const booking of affected) {
      const centre = await this.centres.findByCode(booking.centreCode);
      if (!centre) continue;
      const slot = await this.nearestFreeSlot(booking, window.end, taken);
      if (slot) take(taken, booking, slot);
      if (!(await this.bookings.claimMaintenanceOffer(booking.id, window, this.clock.now()))) continue;
      const nearest = slot ? smsWhen(new Date(slot), centre.timeZone) : 'none in two weeks';
      if (await this.notices.send('booking-maintenance', booking, centre, { agency: agency.code.toUpperCase(), nearest })) told++;
    }
    return told;
  }

  private async attempt(work: () => Promise<BookingRecord>, done: BulkOutcome): Promise<BulkOutcome> {
    try {
      await work();
      return done;
    } catch (error) {
      if (error instanceof DomainError) return 'failed';
      throw error;
    }
  }

  /** The first slot starting at or after `after` with a place left (less what a dry run already gave away), up to two weeks on. */
  private async nearestFreeSlot(booking: BookingRecord, after: Date, taken: Map<string, number> | null): Promise<string | null> {
    const centre = await this.centres.findByCode(booking.centreCode);
    if (!centre) return null;
    const start = after.getTime() > this.clock.now().getTime() ? after : this.clock.now();
    const firstDay = localDate(start, centre.timeZone);
    for (let day = 0; day < SEARCH_DAYS; day++) {
      let free;
      try {
        free = await this.slots.execute({ centreCode: centre.code, serviceCode: booking.serviceCode, date: addDays(firstDay, day) });
      } catch (error) {
        if (error instanceof DomainError) return null; // beyond the booking horizon
        throw error;
      }
      for (const slot of free.slots) {
        if (new Date(slot.start).getTime() < start.getTime()) continue;
        const used = taken?.get(slotKey(booking, slot.start)) ?? 0;
        if (slot.available - used > 0) return slot.start;
      }
    }
    return null;
  }
}

function slotKey(booking: BookingRecord, slotStart: string): string {
  return `${booking.centreCode}|${booking.serviceCode}|${slotStart}`;
}

/** A place a plan gives away, so the next booking of the plan is not offered the same last place. */
function take(taken: Map<string, number>, booking: BookingRecord, slotStart: string): void {
  taken.set(slotKey(booking, slotStart), (taken.get(slotKey(booking, slotStart)) ?? 0) + 1);
}

function invalid(field: string, message: string): DomainError {
  return new DomainError('invalid', 'validation-failed', 'The bulk change is not valid; see `errors`.', { errors: [{ field, message }] });
}
