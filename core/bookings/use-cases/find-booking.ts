import { authorize, type Actor } from '../../authorization';
import type { PersonalDataReads } from '../../audit/personal-data-reads';
import { DomainError } from '../../shared/errors';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { BookingRepository } from '../booking.repository';
import { toBookingView, type BookingView } from '../booking.view';
import { normaliseBookingReference } from '../domain/booking-reference';
import type { BookingRecord } from '../domain/booking';

/** The booking a reference names, as the actor may see it; 404 for unknown and for not-yours alike. */
export async function visibleBooking(
  bookings: BookingRepository,
  reference: string,
  actor: Actor,
  action: 'booking.read' | 'booking.change' = 'booking.read',
): Promise<BookingRecord> {
  const notFound = () => new DomainError('not_found', 'booking-not-found', `No booking ${reference.slice(0, 20)}.`);
  const normalised = normaliseBookingReference(reference);
  const record = normalised ? await bookings.findByReference(normalised) : null;
  if (!record) throw notFound();
  authorize(actor, action, { centre: record.centreCode }, notFound);
  return record;
}

/** GET /v1/bookings/{ref} and GET /v1/bookings?citizen= */
export class FindBookings {
  constructor(
    private readonly bookings: BookingRepository,
    private readonly vault: PersonalDataVault,
    private readonly personalDataReads: PersonalDataReads,
  ) {}

  async byReference(reference: string, actor: Actor): Promise<BookingView> {
    const scope = authorize(actor, 'booking.read');
    const record = await visibleBooking(this.bookings, reference, actor);
    if (scope.personalData) await this.personalDataReads.record(actor, [{ entityType: 'booking', entityId: record.reference }]);
    return toBookingView(record, this.vault, scope.personalData);
  }

  /** `idNumber` is 7 or 8 digits (booking-query.v1.json, at the edge). */
  async byCitizen(idNumber: string, actor: Actor, limit = 50): Promise<BookingView[]> {
    const scope = authorize(actor, 'booking.read');
    const records = await this.bookings.findByCitizen(this.vault.lookupHash(idNumber), { centreCode: scope.centre, limit });
    if (scope.personalData) await this.personalDataReads.record(actor, records.map((r) => ({ entityType: 'booking' as const, entityId: r.reference })));
    return records.map((r) => toBookingView(r, this.vault, scope.personalData));
  }
}
