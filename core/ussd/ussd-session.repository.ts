/** A stored USSD conversation: its menu state sealed, its phone as a keyed hash. */
export interface StoredUssdSession {
  sessionId: string;
  phoneHash: string;
  stateSealed: Buffer;
  version: number;
  expiresAt: Date;
}

export interface UssdSessionWrite {
  sessionId: string;
  phoneHash: string;
  stateSealed: Buffer;
  at: Date;
  expiresAt: Date;
}

/** Storage port of USSD sessions (PostgreSQL: survives restarts, shared by every api replica). */
export abstract class UssdSessionRepository {
  abstract find(sessionId: string): Promise<StoredUssdSession | null>;

  /**
   * Writes the session's next state. `expectedVersion` null: a new session (false when the id is
   * taken); a number: only if nobody saved since that version was read (false otherwise).
   */
  abstract save(write: UssdSessionWrite, expectedVersion: number | null): Promise<boolean>;

  /** Deletes up to `limit` sessions expired before `before`; returns how many. */
  abstract purgeExpired(before: Date, limit: number): Promise<number>;
}
