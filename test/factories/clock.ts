import { zonedInstant } from '../../core/centres/domain/local-time';
import { Clock } from '../../core/shared/clock';

/**
 * Clocks for tests: the app takes one through `startTestApp({ clock })`, so a suite decides the
 * hour and the weekday instead of inheriting them from the moment CI runs.
 */

/** Time the test decides and moves by hand; it does not move by itself (a scripted day). */
export class SettableClock extends Clock {
  constructor(private current: Date) {
    super();
  }

  now(): Date {
    return new Date(this.current.getTime());
  }

  set(at: Date): void {
    this.current = new Date(at.getTime());
  }

  advance(ms: number): Date {
    this.current = new Date(this.current.getTime() + ms);
    return this.now();
  }
}

/**
 * Time that runs at the speed of the system clock from a start the test decides (default: now),
 * and can be moved forward by hand (to let a session or a grace period expire). For suites that
 * need time to pass on its own (timeouts, durations) at a chosen hour.
 */
export class RunningClock extends Clock {
  private offsetMs: number;

  constructor(start: Date = new Date()) {
    super();
    this.offsetMs = start.getTime() - Date.now();
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  set(at: Date): void {
    this.offsetMs = at.getTime() - Date.now();
  }

  advance(ms: number): Date {
    this.offsetMs += ms;
    return this.now();
  }
}

export const NAIROBI = 'Africa/Nairobi';

/** `HH:MM` (or `HH:MM:SS`) local time in Nairobi on `date` (YYYY-MM-DD). */
export function inNairobi(date: string, time: string): Date {
  const [h, m, s = 0] = time.split(':').map(Number);
  return new Date(zonedInstant(date, h * 60 + m, NAIROBI).getTime() + s * 1000);
}

export interface ClockScenario {
  /** For `describe.each(CLOCK_SCENARIOS)('… $name', …)`. */
  name: string;
  at: Date;
  /** Whether a centre open 08:00–17:00 every day (the test centres) takes walk-ins at `at`. */
  walkInsOpen: boolean;
}

/**
 * The two instants every clock-sensitive suite runs at: one when every centre is closed (the hour
 * at which the suite once failed in CI) and one in opening hours, on fixed dates that are no Kenyan
 * public holiday, so what a suite sees never depends on the day it runs. The transaction timers
 * read the app's clock too (TransactionRepository takes `at`), so a retry is due when this clock
 * says so; a suite on a SettableClock that needs one must move the clock.
 */
export const CLOSED_HOUR: ClockScenario = { name: 'at a closed hour (Sunday 02:00 in Nairobi)', at: inNairobi('2026-11-01', '02:00'), walkInsOpen: false };
export const OPEN_HOUR: ClockScenario = { name: 'at an open hour (Tuesday 10:00 in Nairobi)', at: inNairobi('2026-11-03', '10:00'), walkInsOpen: true };
export const CLOCK_SCENARIOS: readonly ClockScenario[] = [CLOSED_HOUR, OPEN_HOUR];

/**
 * What a child process needs to share this process's clock. Tests spawn gateways and CLIs with
 * exactly the environment they choose; when the suite runs under libfaketime (as the closed-hour
 * CI step does, `TZ=UTC faketime '2026-12-05 23:00:00' …`), a child started without these
 * variables would run on the real clock and, for example, find the test's tokens expired.
 * Processes on one host share one clock, so the children get the faked one too. Empty otherwise.
 */
export function sameClockEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const shared: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (name.startsWith('FAKETIME') || (name === 'LD_PRELOAD' && value.includes('faketime'))) shared[name] = value;
  }
  return shared;
}
