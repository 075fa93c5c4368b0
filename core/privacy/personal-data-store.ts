import type { NewAuditEvent } from '../audit/audit-event';
import type { SealedRecord } from '../shared/personal-data';

/**
 * A row holding a sealed phone: one whose keyed hash is among the citizen's, or one written before
 * rows kept that hash (`phoneHash` null), which erasure opens to see whose it is.
 */
export interface SealedPhoneRow {
  id: string;
  phoneSealed: Buffer;
  phoneHash: string | null;
}

/** The records found by the citizen's ID number: ids, whether each is still open, and the sealed citizen data with its data key. */
export interface CitizenRecords {
  transactions: Array<{ id: string; open: boolean } & SealedRecord>;
  bookings: Array<{ id: string; open: boolean } & SealedRecord>;
}

/** A citizen's rows as erasure sees them. */
export interface CitizenRows extends CitizenRecords {
  /**
   * Walk-in tickets still holding a phone (for the call-ahead SMS) whose keyed hash is one that
   * `phonesOf` named, or that have none: no other citizen's ticket is locked.
   */
  walkInPhones: SealedPhoneRow[];
  /** The same for outbox notices not tied to a transaction (tied ones go with their transaction). */
  noticePhones: SealedPhoneRow[];
  /** Every live USSD conversation: its phone's keyed hash and its menu state, which holds the ID number once typed. */
  ussdSessions: Array<{ id: string; phoneHash: string; stateSealed: Buffer }>;
}

/** What erasure decided, once it saw the citizen's rows. */
export interface CitizenErasure {
  /** Keyed hashes of the citizen's phones: the SMS log, phone rate limits, USSD sessions. */
  phoneHashes: string[];
  /** Of `walkInPhones` / `noticePhones` / `ussdSessions`: the citizen's. */
  ticketIds: string[];
  noticeIds: string[];
  ussdSessionIds: string[];
  event: (counts: ErasureCounts) => NewAuditEvent;
}

/** What overwrites personal data: sealed tombstones, so every reader keeps working on the row. */
export interface Tombstones {
  citizen: Buffer;
  payload: Buffer;
  phone: Buffer;
  /** For free text stored readable (an officer's or a manager's note). */
  note: string;
}

/**
 * Rows that lost personal data. The first six are overwritten in place (the row is a record);
 * the next three are operational rows that only serve a live exchange and are deleted; the last
 * counts the records' data keys destroyed.
 */
export interface ErasureCounts {
  transactions: number;
  bookings: number;
  /** Outbox notices (citizen_notices) whose phone was dropped. */
  notices: number;
  /** SMS log entries whose phone was overwritten. */
  notifications: number;
  /** Walk-in tickets whose call-ahead phone was dropped. */
  tickets: number;
  /** Feedback comments (free text, may name the citizen) dropped. */
  feedback: number;
  ussdSessions: number;
  rateLimits: number;
  /** Stored answers to an Idempotency-Key (a booking's holds the citizen's masked numbers; each, a digest of their request). */
  idempotencyKeys: number;
  /** Data keys of the transactions and bookings (citizen_keys) destroyed: every copy of what they sealed, backups included, no longer opens. */
  dataKeys: number;
}

export const NO_ERASURE: Readonly<ErasureCounts> = {
  transactions: 0,
  bookings: 0,
  notices: 0,
  notifications: 0,
  tickets: 0,
  feedback: 0,
  ussdSessions: 0,
  rateLimits: 0,
  idempotencyKeys: 0,
  dataKeys: 0,
};

/** Rows that ended before these instants lose their personal data. */
export interface RetentionCutoffs {
  /** Service code → its transactions', bookings' and walk-in tickets' cutoff. */
  services: ReadonlyMap<string, Date>;
  /** Rows that name no service (the SMS log, notices, rate limits, idempotency answers): the default retention's cutoff. */
  notifications: Date;
}

/**
 * Storage port of retention and erasure (core/privacy). Each call is one database transaction:
 * the rows are overwritten or deleted and the audit event appended together, or nothing happens.
 */
export abstract class PersonalDataStore {
  /**
   * Locks a citizen's records and asks `phonesOf` for the keyed hashes of their phones; then locks
   * the walk-in tickets and notices with one of those hashes (and those with a phone but no hash,
   * and live USSD sessions), lets `decide` look at them all, then erases the citizen's and appends
   * `decide`'s event; `decide` returns null to leave everything as it was.
   */
  abstract eraseCitizen(
    citizenIdHash: string,
    phonesOf: (records: CitizenRecords) => string[],
    decide: (rows: CitizenRows) => CitizenErasure | null,
    tombstones: Tombstones,
    at: Date,
  ): Promise<ErasureCounts | null>;

  /** Erases up to `limit` rows per table past their cutoff; appends `event` when any were. */
  abstract purgeExpired(
    cutoffs: RetentionCutoffs,
    limit: number,
    tombstones: Tombstones,
    at: Date,
    event: (counts: ErasureCounts) => NewAuditEvent,
  ): Promise<ErasureCounts>;
}
