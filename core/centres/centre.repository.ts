import type { NewAuditEvent } from '../audit/audit-event';
import type { Centre, CentreService, CentreSummary, Counter, Holiday, OpeningHours } from './domain/centre';

/** What PUT /v1/centres/{code} writes. `services` / `counters` left undefined stay as they are. */
export interface CentreDefinition {
  code: string;
  name: string;
  county: string;
  timeZone: string;
  slotMinutes: number;
  bookingHorizonDays: number;
  noShowGraceMinutes: number;
  openingHours: OpeningHours[];
  holidays: Holiday[];
  services?: CentreService[];
  counters?: Counter[];
}

/**
 * A centre with its version: every change of the centre (save, setSlotCapacity) moves it on, first
 * thing in its transaction, and a booking statement refuses a version that moved (migration 0133).
 * Any other write to the centre's tables moves it on too, by trigger (migration 0134). Versions are
 * drawn from one sequence for all centres (migrations 0135, 0138): 0138 moved every centre onto a
 * version drawn a million above the highest then held, and a version drawn since never repeats, even
 * for a centre deleted and made again with its code. Versions given before 0135 were counters of each
 * centre, so two centres may have had the same one; that is harmless, as a version is only ever
 * compared, for equality, with the same code's. A centre deleted before 0135 had a version above
 * where 0138 restarted the sequence only if it changed more than a million times.
 */
export interface VersionedCentre {
  centre: Centre;
  version: number;
}

/** The centre aggregate's storage port; the pg implementation lives in ./pg. */
export abstract class CentreRepository {
  abstract list(): Promise<CentreSummary[]>;

  abstract findByCode(code: string): Promise<Centre | null>;

  /** findByCode with the version read with it (CentreCache). */
  abstract findVersioned(code: string): Promise<VersionedCentre | null>;

  /**
   * Creates or replaces a centre (hours and holidays always; services and counters when given),
   * appending `event` in the same database transaction; waits for the bookings in flight at the
   * centre and moves its version on. A service that still has appointment slots cannot be removed
   * (conflict `centre-part-in-use`). `created` tells a new centre from an update.
   */
  abstract save(definition: CentreDefinition, event: NewAuditEvent): Promise<{ centre: Centre; created: boolean }>;

  /**
   * Sets the appointments per slot of one service at one centre, and of its slots not yet started
   * (never below what is already booked in them), with `event`, in one database transaction;
   * waits for the bookings in flight at the centre and moves its version on. Null when the centre
   * does not offer the service.
   */
  abstract setSlotCapacity(centreCode: string, serviceCode: string, slotCapacity: number, from: Date, event: NewAuditEvent): Promise<Centre | null>;

  /** Inserts centres that do not exist yet; existing ones are left untouched. Returns the codes inserted. */
  abstract seedMissing(definitions: CentreDefinition[], actor: string, at: Date): Promise<string[]>;
}
