import type { AuditLog } from '../../audit/audit-log';
import type { Pool } from 'pg';
import { DomainError } from '../../shared/errors';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { BookingRepository } from '../booking.repository';
import { toBookingView, type BookingView } from '../booking.view';
import { centreScope, maySee, seesPersonalData, type BookingActor } from '../domain/booking-access';
import { normaliseBookingReference } from '../domain/booking-reference';
import type { BookingRecord } from '../domain/booking';
import type { Clock } from '../../shared/clock';

/** The booking a reference names, as the actor may see it; 404 for unknown and for not-yours alike. */
export async function visibleBooking(bookings: BookingRepository, reference: string, actor: BookingActor): Promise<BookingRecord> {
  const normalised = normaliseBookingReference(reference);
  const record = normalised ? await bookings.findByReference(normalised) : null;
  if (!record || !maySee(actor, record.centreCode)) throw new DomainError('not_found', 'booking-not-found', `No booking ${reference.slice(0, 20)}.`);
  return record;
}

/** GET /v1/bookings/{ref} and GET /v1/bookings?citizen= */
export class FindBookings {
  constructor(
    private readonly bookings: BookingRepository,
    private readonly vault: PersonalDataVault,
    private readonly audit: AuditLog,
    private readonly pool: Pool,
    private readonly clock: Clock,
  ) {}

  async byReference(reference: string, actor: BookingActor): Promise<BookingView> {
    const record = await visibleBooking(this.bookings, reference, actor);
    await this.auditUnmaskedRead(actor, [record.reference]);
    return toBookingView(record, this.vault, seesPersonalData(actor));
  }

  /** `idNumber` is 7 or 8 digits (booking-query.v1.json, at the edge). */
  async byCitizen(idNumber: string, actor: BookingActor, limit = 50): Promise<BookingView[]> {
    const scope = centreScope(actor);
    if (scope === null) throw new DomainError('forbidden', 'booking-no-centre', 'Your token names no centre, so no bookings are visible to you.');
    const records = await this.bookings.findByCitizen(this.vault.lookupHash(idNumber), { centreCode: scope, limit });
    await this.auditUnmaskedRead(actor, records.map((r) => r.reference));
    return records.map((r) => toBookingView(r, this.vault, seesPersonalData(actor)));
  }

  /** Unmasked personal data is shown only to `personal-data` holders, and every such read is on the record. */
  private async auditUnmaskedRead(actor: BookingActor, references: string[]): Promise<void> {
    if (!seesPersonalData(actor) || references.length === 0) return;
    for (const reference of references) {
      await this.audit.append(this.pool, {
        entityType: 'booking',
        entityId: reference,
        type: 'personal_data_read',
        actor: actor.subject,
        data: {},
        occurredAt: this.clock.now(),
      });
    }
  }
}
