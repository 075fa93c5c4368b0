import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Pool } from 'pg';
import type { AgencyRegistry } from '../../../adapters/registry';
import type { AgencyCallRecord } from '../../../adapters/resilience/resilient-agency';
import type { BreakerState } from '../../../contracts/src/dispatch';
import type { Transaction } from '../../../core/transactions/domain/transaction';
import { TalliedCounter, TalliedHistogram } from './tally';

/** Breaker states as numbers, so that a graph shows an outage as a step: closed 0, half-open 1, open 2. */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, half_open: 1, open: 2 };

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Joins a series' label values into its tally key: no label value (codes, route patterns, HTTP methods) holds it. */
const SEP = '\u0000';

/**
 * The process's Prometheus registry and the instruments every role feeds (README "Metrics").
 * Only the gateway knows prom-client: the adapters tell their calls and breaker transitions
 * through the registry's listeners, the core its transactions' states through the repository
 * port (meteredTransactions), and what lives in the database is read at scrape time
 * (database-gauges.ts). Instruments are created here, once, so every family is declared even
 * before its first sample.
 */
export class KiungoMetrics {
  readonly registry = new Registry();
  // The three fed on every submit are tallied (tally.ts): prom-client's observe and inc cost ~1 µs each.
  private readonly httpDuration: TalliedHistogram<'method' | 'route' | 'status'>;
  private readonly agencyCallDuration: TalliedHistogram<'agency' | 'operation' | 'outcome'>;
  private readonly breakerTransitions: Counter<'agency' | 'state'>;
  private readonly transactions: TalliedCounter<'service' | 'agency' | 'channel' | 'state'>;
  private readonly modePropagation: Histogram<'agency'>;
  private readonly replays: Counter<'agency' | 'state'>;
  private readonly unbind: Array<() => void> = [];

  /**
   * `enabled` false (KIUNGO_METRICS_PORT=off): the instruments exist but nothing feeds them — no
   * listeners, no process metrics, no request hook, no repository decorator (the bench's baseline).
   */
  constructor(
    role: string,
    readonly enabled = true,
  ) {
    this.registry.setDefaultLabels({ role });
    // Event-loop lag, heap, GC, CPU, handles: prom-client's process metrics, computed at scrape time.
    if (enabled) collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new TalliedHistogram(
      'kiungo_http_request_duration_seconds',
      'HTTP requests answered, by method, route pattern (never the raw path) and status; _count is the request rate',
      ['method', 'route', 'status'],
      LATENCY_BUCKETS,
      this.registry,
    );
    this.agencyCallDuration = new TalliedHistogram(
      'kiungo_agency_call_duration_seconds',
      'Calls to agencies through their guards, by operation and outcome (result kind, or the transient code such as timeout or breaker_open)',
      ['agency', 'operation', 'outcome'],
      LATENCY_BUCKETS,
      this.registry,
    );
    this.breakerTransitions = new Counter({
      name: 'kiungo_agency_breaker_transitions_total',
      help: 'Circuit-breaker transitions seen by this process, by the state entered',
      labelNames: ['agency', 'state'],
      registers: [this.registry],
    });
    this.transactions = new TalliedCounter({
      name: 'kiungo_transactions_total',
      help: 'Transaction steps written by this process, by the state entered (received at creation; retrying again on every retry), service, agency and channel',
      labelNames: ['service', 'agency', 'channel', 'state'],
      registry: this.registry,
    });
    this.replays = new Counter({
      name: 'kiungo_replays_total',
      help: 'Stored transactions replayed to their agency by this process, by the state the replay left them in (completed, rejected, parked, conflict, …)',
      labelNames: ['agency', 'state'],
      registers: [this.registry],
    });
    this.modePropagation = new Histogram({
      name: 'kiungo_agency_mode_propagation_seconds',
      help: 'From a mode switch (or replay pause) published by one replica to this process hearing it on the event bus',
      labelNames: ['agency'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [this.registry],
    });
  }

  observeRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    // An unmatched path (404) has no pattern: one label value for all of them, so a scan cannot blow up the series.
    const pattern = route ?? 'unmatched';
    this.httpDuration.observe(`${method}${SEP}${pattern}${SEP}${status}`, () => ({ method, route: pattern, status: String(status) }), seconds);
  }

  observeAgencyCall(call: AgencyCallRecord): void {
    this.agencyCallDuration.observe(
      `${call.agencyCode}${SEP}${call.operation}${SEP}${call.outcome}`,
      () => ({ agency: call.agencyCode, operation: call.operation, outcome: call.outcome }),
      call.ms / 1000,
    );
  }

  /** `state`: the state it entered, when not the one it is in now (a breaker-open submit entered `received` on its way to `retrying`). */
  transactionEntered(transaction: Pick<Transaction, 'serviceCode' | 'agencyCode' | 'channel' | 'state'>, state: string = transaction.state): void {
    const { serviceCode, agencyCode, channel } = transaction;
    this.transactions.inc(`${serviceCode}${SEP}${agencyCode}${SEP}${channel}${SEP}${state}`, () => ({ service: serviceCode, agency: agencyCode, channel, state }));
  }

  replayed(transaction: Pick<Transaction, 'agencyCode' | 'state'>): void {
    this.replays.inc({ agency: transaction.agencyCode, state: transaction.state });
  }

  modeChangeHeard(agency: string, delayMs: number): void {
    this.modePropagation.observe({ agency }, delayMs / 1000);
  }

  /** Agency calls, breaker transitions and each breaker's state, from the adapters' registry. */
  bindAgencies(agencies: AgencyRegistry): void {
    if (!this.enabled) return;
    this.unbind.push(agencies.onCall((call) => this.observeAgencyCall(call)));
    this.unbind.push(agencies.onBreakerChange((agency, state) => this.breakerTransitions.inc({ agency, state })));
    for (const agency of agencies.list()) for (const state of Object.keys(BREAKER_STATE_VALUE)) this.breakerTransitions.inc({ agency: agency.code, state }, 0);
    new Gauge({
      name: 'kiungo_agency_breaker_state',
      help: 'Circuit-breaker state of each agency in this process: 0 closed, 1 half-open, 2 open',
      labelNames: ['agency'],
      registers: [this.registry],
      collect() {
        for (const agency of agencies.list()) this.set({ agency: agency.code }, BREAKER_STATE_VALUE[agency.breaker]);
      },
    });
    new Gauge({
      name: 'kiungo_agency_calls_in_flight',
      help: 'Calls to each agency running now (bulkhead slots taken) and waiting for a slot',
      labelNames: ['agency', 'state'],
      registers: [this.registry],
      collect() {
        for (const agency of agencies.list()) {
          this.set({ agency: agency.code, state: 'running' }, agency.inFlight);
          this.set({ agency: agency.code, state: 'queued' }, agency.queued);
        }
      },
    });
  }

  /** The pg pool of this process: connections open, idle, and callers waiting for one. */
  bindPool(pool: Pool, max: number): void {
    if (!this.enabled) return;
    new Gauge({
      name: 'kiungo_db_pool_connections',
      help: 'Database pool of this process: total, idle, waiting (callers queued for a connection) and max',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
        this.set({ state: 'max' }, max);
      },
    });
  }

  /** The text Prometheus scrapes. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  close(): void {
    for (const unbind of this.unbind.splice(0)) unbind();
    this.registry.clear();
  }
}
