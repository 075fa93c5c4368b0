import { Gauge } from 'prom-client';
import type { AgencyModeRepository } from '../../../core/agencies/agency-mode.repository';
import { AGENCY_MODES } from '../../../core/agencies/domain/agency-mode';
import type { CentreActivity, CentreActivityQuery } from '../../../core/centres/centre-activity.query';
import type { QueueDepth, RetryQueue } from '../../../core/retry-queue/retry-queue.port';
import type { Clock } from '../../../core/shared/clock';
import type { TransactionRepository } from '../../../core/transactions/transaction.repository';
import type { KiungoMetrics } from './kiungo-metrics';

export interface DatabaseGaugeSources {
  agencyCodes: readonly string[];
  transactions: TransactionRepository;
  modes: AgencyModeRepository;
  retries: RetryQueue;
  centres: CentreActivityQuery;
  clock: Clock;
}

interface Snapshot {
  open: Record<string, Partial<Record<string, number>>>;
  backlog: Record<string, number>;
  modes: Array<{ agencyCode: string; mode: string; replayPaused: boolean }>;
  depth: Record<string, QueueDepth>;
  centres: CentreActivity;
}

/**
 * One scrape reads the database once, however many gauges ask; scrapes within this long of it
 * (a second Prometheus, a dashboard's refresh) reuse it, so the database sees at most one read of
 * each count per interval whatever scrapes.
 */
const SNAPSHOT_MS = 5000;

/**
 * What the deployment holds, read from PostgreSQL and the queue when Prometheus scrapes: the
 * same for every replica, so only the worker role exports it (one series, not one per api
 * replica; the dashboard still takes `max` in case two workers run).
 */
export function registerDatabaseGauges(metrics: KiungoMetrics, sources: DatabaseGaugeSources): void {
  let taken: { at: number; snapshot: Promise<Snapshot> } | null = null;
  const snapshot = (): Promise<Snapshot> => {
    if (taken && performance.now() - taken.at < SNAPSHOT_MS) return taken.snapshot;
    const fresh = read(sources);
    taken = { at: performance.now(), snapshot: fresh };
    fresh.catch(() => (taken = null));
    return fresh;
  };
  const gauge = <L extends string>(name: string, help: string, labelNames: L[], fill: (g: Gauge<L>, s: Snapshot) => void): void => {
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [metrics.registry],
      async collect() {
        const s = await snapshot();
        this.reset(); // an agency or centre that has nothing any more shows no stale value
        fill(this, s);
      },
    });
  };

  gauge('kiungo_transactions_open', 'Transactions not yet terminal, and those parked for a human or in conflict, by agency and state', ['agency', 'state'], (g, s) => {
    for (const [agency, states] of Object.entries(s.open)) for (const [state, n] of Object.entries(states)) g.set({ agency, state }, n ?? 0);
  });
  gauge('kiungo_replay_backlog', 'Stored (store-and-forward) transactions per agency waiting to be replayed', ['agency'], (g, s) => {
    for (const agency of sources.agencyCodes) g.set({ agency }, s.backlog[agency] ?? 0);
  });
  gauge('kiungo_agency_mode', 'Each agency\'s stored mode: 1 for the mode it is in, 0 for the others', ['agency', 'mode'], (g, s) => {
    for (const setting of s.modes) for (const mode of AGENCY_MODES) g.set({ agency: setting.agencyCode, mode }, setting.mode === mode ? 1 : 0);
  });
  gauge('kiungo_agency_replay_paused', 'Whether an operator paused the agency\'s replay (1) or not (0)', ['agency'], (g, s) => {
    for (const setting of s.modes) g.set({ agency: setting.agencyCode }, setting.replayPaused ? 1 : 0);
  });
  gauge('kiungo_retry_queue_jobs', 'Retry jobs per agency: waiting for a worker, delayed (backing off), active', ['agency', 'state'], (g, s) => {
    for (const [agency, depth] of Object.entries(s.depth)) {
      g.set({ agency, state: 'waiting' }, depth.waiting);
      g.set({ agency, state: 'delayed' }, depth.delayed);
      g.set({ agency, state: 'active' }, depth.active);
    }
  });
  gauge('kiungo_tickets_waiting', 'Citizens with a walk-in ticket waiting to be called, by centre and service', ['centre', 'service'], (g, s) => {
    for (const [centre, services] of Object.entries(s.centres.waitingTickets)) for (const [service, n] of Object.entries(services)) g.set({ centre, service }, n);
  });
  gauge('kiungo_bookings_upcoming', 'Appointments booked and still to come, by centre', ['centre'], (g, s) => {
    for (const [centre, n] of Object.entries(s.centres.upcomingBookings)) g.set({ centre }, n);
  });
}

async function read(sources: DatabaseGaugeSources): Promise<Snapshot> {
  const [open, backlog, settings, depth, centres] = await Promise.all([
    sources.transactions.openCountsByAgency(),
    sources.transactions.backlogByAgency(),
    sources.modes.all(),
    sources.retries.depth(),
    sources.centres.current(sources.clock.now()),
  ]);
  const stored = new Map(settings.map((s) => [s.agencyCode, s]));
  // Agencies never switched have no row: they are in auto mode.
  const modes = sources.agencyCodes.map((code) => ({ agencyCode: code, mode: stored.get(code)?.mode ?? 'auto', replayPaused: stored.get(code)?.replayPaused ?? false }));
  return { open, backlog, modes, depth, centres };
}
