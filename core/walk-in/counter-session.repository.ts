import type { CounterSession } from './domain/counter-session';
import type { NewQueueEvent } from './domain/queue-event';

export type OpenResult = { outcome: 'opened' | 'already-open'; session: CounterSession } | { outcome: 'taken'; session: CounterSession } | { outcome: 'officer-elsewhere'; session: CounterSession };

/** Officer sessions at counters; the pg implementation lives in ./pg. */
export abstract class CounterSessionRepository {
  /**
   * Opens a session for the officer at the counter, with its event. An open session of the same
   * officer there comes back as `already-open`; another officer's is `taken`; the officer's own
   * open session at another counter is `officer-elsewhere`.
   */
  abstract open(session: Omit<CounterSession, 'closedAt'>, event: NewQueueEvent): Promise<OpenResult>;

  /** Closes the counter's open session with its event (the event gets the session's ids); null when none is open. */
  abstract close(centreCode: string, counterCode: string, at: Date, event: (session: CounterSession) => NewQueueEvent): Promise<CounterSession | null>;

  abstract openAt(centreCode: string, counterCode: string): Promise<CounterSession | null>;
}
