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
  /** The booking's sealed citizen (ID number and phone). */
  citizenSealed: Buffer;
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

  /** Bookings of these services still waiting in a hall (checked in, ticket waiting) or due within [from, to). */
  abstract recipients(serviceCodes: readonly string[], from: Date, to: Date): Promise<OutageRecipient[]>;

  /** True the first time for this outage and phone: the caller sends the SMS then, and only then. */
  abstract claimNotice(outageId: string, phoneHash: string, at: Date): Promise<boolean>;
}
