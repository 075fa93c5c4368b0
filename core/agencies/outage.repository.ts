import type { EffectiveMode } from './domain/agency-mode';

/** A spell an agency spent out of `auto`, as the worker saw it. */
export interface AgencyOutage {
  id: string;
  agencyCode: string;
  mode: Exclude<EffectiveMode, 'auto'>;
  until: Date | null;
  startedAt: Date;
}

/** A citizen to tell about an outage: waiting in a hall with a checked-in booking, or booked soon. */
export interface OutageRecipient {
  bookingId: string;
  /** The booking's sealed citizen (ID number and phone). */
  citizenSealed: Buffer;
  /** The data key it is sealed under (core/shared/personal-data.ts SealedRecord). */
  dataKeySealed: Buffer | null;
  centreCode: string;
  serviceCode: string;
}

export abstract class OutageRepository {
  /** Outages not yet over, one per agency at most. */
  abstract open(): Promise<AgencyOutage[]>;

  /** Opens one; null when another worker opened one for the agency first. */
  abstract start(outage: AgencyOutage): Promise<AgencyOutage | null>;

  abstract update(id: string, mode: AgencyOutage['mode'], until: Date | null): Promise<void>;

  abstract end(id: string, at: Date): Promise<void>;

  /**
   * Bookings of these services still waiting in a hall (checked in, ticket waiting) or due within
   * [from, to) whose citizen has no notice of this outage in the outbox yet (outageNoticeKey).
   */
  abstract recipients(outageId: string, serviceCodes: readonly string[], from: Date, to: Date): Promise<OutageRecipient[]>;
}

/** The start of the outbox's once-only keys of an outage's notices. */
export function outageNoticeKeyPrefix(outageId: string): string {
  return `outage:${outageId}:`;
}

/** The outbox's once-only key of an outage's notice about one booking (no personal data in it). */
export function outageNoticeKey(outageId: string, bookingId: string): string {
  return `${outageNoticeKeyPrefix(outageId)}${bookingId}`;
}
