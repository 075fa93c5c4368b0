import type { NewAuditEvent } from '../audit/audit-event';

/** A citizen's rows as erasure sees them: ids, whether each is still open, and the sealed citizen data. */
export interface CitizenRows {
  transactions: Array<{ id: string; open: boolean; citizenSealed: Buffer }>;
  bookings: Array<{ id: string; open: boolean; citizenSealed: Buffer }>;
}

/** What overwrites personal data: sealed tombstones, so every reader keeps working on the row. */
export interface Tombstones {
  citizen: Buffer;
  payload: Buffer;
  phone: Buffer;
}

export interface ErasureCounts {
  transactions: number;
  bookings: number;
  notices: number;
  notifications: number;
}

/** Rows that ended before these instants lose their personal data. */
export interface RetentionCutoffs {
  /** Service code → its transactions' and bookings' cutoff. */
  services: ReadonlyMap<string, Date>;
  /** The SMS log, which names no service: the default retention's cutoff. */
  notifications: Date;
}

/**
 * Storage port of retention and erasure (core/privacy). Each call is one database transaction:
 * the rows are overwritten and the audit event appended together, or nothing happens.
 */
export abstract class PersonalDataStore {
  /**
   * Locks and returns a citizen's rows, lets `decide` look at them, then erases them (with the
   * phone hashes `decide` returns, for the SMS log) and appends `decide`'s event; `decide`
   * returns null to leave everything as it was.
   */
  abstract eraseCitizen(
    citizenIdHash: string,
    decide: (rows: CitizenRows) => { phoneHashes: string[]; event: (counts: ErasureCounts) => NewAuditEvent } | null,
    tombstones: Tombstones,
    at: Date,
  ): Promise<ErasureCounts | null>;

  /** Erases up to `limit` ended rows past their service's cutoff; appends `event` when any were. */
  abstract purgeExpired(
    cutoffs: RetentionCutoffs,
    limit: number,
    tombstones: Tombstones,
    at: Date,
    event: (counts: ErasureCounts) => NewAuditEvent,
  ): Promise<ErasureCounts>;
}
