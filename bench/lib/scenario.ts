/**
 * What a scenario is, and the context the runner hands it: settings, shared resources that live
 * across scenarios (started on first use, stopped at the end), and load helpers with the
 * run's durations. Add a scenario: a file in bench/scenarios/ exporting a `Scenario`, listed in
 * bench/run.ts.
 */
import type { CpuReport } from './cpu';
import { runLoad, type LoadOptions, type LoadResult } from './load';
import type { StoredPerSubmit } from './stored-per-submit';

export interface BenchSettings {
  quick: boolean;
  /** Measurement window of a main scenario, seconds. */
  durationSec: number;
  /** Measurement window of a secondary scenario (e.g. breaker-open), seconds. */
  shortDurationSec: number;
  /** Unmeasured load before a target the run has loaded before, seconds. */
  warmupSec: number;
  /**
   * Unmeasured load before a target's first window in the run (a process just started, or a route
   * it has not served yet), seconds: V8 is still compiling that code's hot functions (WarmUps).
   */
  firstWarmupSec: number;
  /** Default connections per target. */
  connections: number;
  /** postgres:// URL of a maintenance database on the bench's PostgreSQL server. */
  adminDatabaseUrl: string;
  /** The Redis database the gateway's queue may use and the bench may flush. */
  redisUrl: string;
  /** A second one, for the `stored` scenario's processes (their queue must not mix with the main stack's). */
  storedRedisUrl: string;
  /** Transactions already stored, one measurement each (`stored` scenario). */
  storedSizes: number[];
  /** Run `npm run build` when dist/ is stale (default true). */
  build: boolean;
  /** When set, api processes run with `--cpu-prof` and write their profile here on exit. */
  cpuProfileDir?: string;
  /** Run api processes with `--perf-basic-prof --interpreted-frames-native-stack`, so `perf record -g -p <pid>` names JS frames. */
  perfMap?: boolean;
  /** A scenario whose window saw neighbours take more than this share of the box's CPU gets a warning (0–1). */
  neighbourLimit: number;
}

export interface Figure {
  label: string;
  value: string | number;
}

/** Something the scenario verified after the fact (never a timing threshold). */
export interface Check {
  label: string;
  ok: boolean;
  detail: string;
}

/** What one request made the serving process send (bench/lib/recorded-requests.ts `requestCost`). */
export interface RequestCost {
  /** Recorded one request at a time: the statements / Redis commands every recorded request sent. */
  statements: number;
  /** Of which sent as named (server-side prepared) statements. */
  prepared: number;
  redis: number;
  /** The statements and commands, shortened, in order. */
  statementList: string[];
  redisList: string[];
  /** Over the measured load, per response, per process (their background work included). */
  window?: Record<string, { statements: number; redis: number }>;
}

export interface ScenarioOutcome {
  /** What was loaded, e.g. `gateway api POST /v1/transactions`. */
  target: string;
  load: LoadResult;
  figures?: Figure[];
  checks?: Check[];
  notes?: string[];
  /** Where the CPU went in the measurement window (bench/lib/cpu.ts `watchCpu`). */
  cpu?: CpuReport;
  requestCost?: RequestCost;
  /** What a submit leaves in PostgreSQL, counted (db-floor; bench/lib/stored-per-submit.ts). */
  storedPerSubmit?: StoredPerSubmit;
  /** Figures as numbers, for the targets table (bench/lib/targets.ts), e.g. { peakRssMiB: 190 }. */
  metrics?: Record<string, number>;
}

export interface ScenarioResult extends Required<Omit<ScenarioOutcome, 'cpu' | 'requestCost' | 'storedPerSubmit'>> {
  cpu?: CpuReport;
  requestCost?: RequestCost;
  storedPerSubmit?: StoredPerSubmit;
  name: string;
  /** The baseline's requests/s ratio: this scenario's rps divided by the baseline's. */
  baseline?: { scenario: string; rpsRatio: number; p50Ratio: number; p99Ratio: number };
}

/**
 * Thrown by a scenario that cannot run on this machine (e.g. nginx not installed): reported as
 * skipped with the reason, not as a failure, so CI boxes without the binary still pass.
 */
export class ScenarioSkipped extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ScenarioSkipped';
  }
}

export interface Scenario {
  name: string;
  /** One line for `--help`. */
  summary: string;
  /** A scenario that runs (first) whenever this one is selected; the ratio is taken against it. */
  baseline?: string;
  run(ctx: BenchContext): Promise<ScenarioOutcome>;
}

/** Load options with the run's defaults for duration and connections. */
export type LoadRequest = Omit<LoadOptions, 'durationSec' | 'connections'> & Partial<Pick<LoadOptions, 'durationSec' | 'connections'>>;

interface SharedEntry {
  value: Promise<unknown>;
  dispose: () => Promise<void>;
}

/** When a measurement ran, on the monotonic clock V8 profiles use (µs): to cut a profile to it. */
export interface LoadWindow {
  scenario: string;
  fromUs: number;
  toUs: number;
}

/**
 * How long each warm-up runs: `firstSec` the first time the run loads a target (method, base URL and
 * path), `againSec` after that. A process just started runs its hot code interpreted and compiles it
 * with TurboFan on V8's worker threads for its first seconds under load: in the first window after a
 * 1 s warm-up the api spent 0.40 ms per submit compiling (the lean server 0.19) and 1.8 ms of CPU per
 * submit in all, against 0.86–0.97 ms once warm (perf, 2026-12-07). A scenario measured first on a
 * fresh process would carry that cost and a later one on the same process would not.
 */
export class WarmUps {
  private readonly loaded = new Set<string>();

  constructor(
    private readonly firstSec: number,
    private readonly againSec: number,
  ) {}

  secondsFor(target: Pick<LoadOptions, 'url' | 'path' | 'method'>): number {
    const key = `${target.method ?? 'GET'} ${target.url}${target.path}`;
    if (this.loaded.has(key)) return this.againSec;
    this.loaded.add(key);
    return Math.max(this.firstSec, this.againSec);
  }
}

export class BenchContext {
  readonly results = new Map<string, ScenarioResult>();
  readonly loadWindows: LoadWindow[] = [];
  private readonly warmUps: WarmUps;
  /** Set by the runner while a scenario runs. */
  currentScenario = '';
  private readonly sharedEntries = new Map<string, SharedEntry>();
  private readonly disposeOrder: string[] = [];

  constructor(
    readonly settings: BenchSettings,
    readonly log: (line: string) => void,
  ) {
    this.warmUps = new WarmUps(settings.firstWarmupSec, settings.warmupSec);
  }

  /**
   * A resource shared by scenarios (the simulator, the gateway processes): created by the first
   * scenario that asks, disposed in reverse order of creation when the run ends.
   */
  shared<T>(key: string, create: () => Promise<T>, dispose: (value: T) => Promise<void>): Promise<T> {
    const existing = this.sharedEntries.get(key);
    if (existing) return existing.value as Promise<T>;
    const value = create();
    this.sharedEntries.set(key, {
      value,
      // One that failed to start has nothing to dispose (its processes are stopped by pid anyway).
      dispose: () => value.then(dispose, () => undefined),
    });
    this.disposeOrder.push(key);
    return value;
  }

  async disposeShared(): Promise<void> {
    for (const key of this.disposeOrder.reverse()) {
      const entry = this.sharedEntries.get(key);
      this.sharedEntries.delete(key);
      await entry?.dispose().catch((error: Error) => this.log(`while stopping ${key}: ${error.message}`));
    }
    this.disposeOrder.length = 0;
  }

  /**
   * Load before measuring, results discarded: JIT, pools and connections warm. `firstWarmupSec` for
   * a target the run has not loaded yet, `warmupSec` afterwards (WarmUps).
   */
  async warmUp(options: LoadRequest): Promise<void> {
    const durationSec = this.warmUps.secondsFor(options);
    await runLoad({ connections: this.settings.connections, ...options, durationSec, onResponse: undefined });
  }

  /**
   * Load for the run's main duration and connections unless the options say otherwise. `window`:
   * the name its load window gets (default the scenario's): a scenario's set-up load (call-next
   * issuing its tickets) is named apart, so that a profile cut to the scenario shows what it measures.
   */
  load(options: LoadRequest, window = this.currentScenario): Promise<LoadResult> {
    return this.measured(() => runLoad({ connections: this.settings.connections, durationSec: this.settings.durationSec, ...options }), window);
  }

  /** Runs `work` as one of the scenario's load windows: a load the scenario drives itself (call-next's counters). */
  async measured<T>(work: () => Promise<T>, window = this.currentScenario): Promise<T> {
    const fromUs = monotonicUs();
    try {
      return await work();
    } finally {
      this.loadWindows.push({ scenario: window, fromUs, toUs: monotonicUs() });
    }
  }
}

/** CLOCK_MONOTONIC in µs, the clock of a .cpuprofile's startTime/endTime on Linux. */
function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
