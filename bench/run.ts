/**
 * `npm run bench [-- --quick] [-- --scenario gateway,breaker-open]`: load figures for Kiungo,
 * each scenario beside its baseline in the same run. Prints a summary table and writes
 * bench/results/bench-<timestamp>.json and bench/results/latest.json.
 *
 * Options:
 *   --quick              ~3 s per scenario (CI smoke); every figure is still printed
 *   --scenario a,b       run a subset (their baselines run too)
 *   --duration N         seconds per main scenario (default 10, quick 3)
 *   --warmup N           seconds of unmeasured load before a target the run has loaded before (default 1)
 *   --first-warmup N     ... before a target's first window in the run: a fresh process's JIT (default 10, quick 1)
 *   --connections N      default 50
 *   --skip-build         use dist/ as it is, even when older than the sources
 *   --cpu-prof           run the api process with --cpu-prof; the .cpuprofile lands in bench/results/profiles/
 *   --perf-map           run the api process and the lean server with --perf-basic-prof --interpreted-frames-native-stack (for `perf record -g -p <pid>`)
 *   --neighbour-limit P  warn when other work took more than P % of the box's CPU in a window (default 10)
 *   --stored a,b         transactions already stored for the `stored` scenario (default 1000000,10000000;
 *                        quick 100000; 0 is gateway-c10); each size is seeded once into kiungo_bench_stored_<size>
 *   --list               list the scenarios and exit
 * Environment: BENCH_ADMIN_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_REDIS_URL (default redis://127.0.0.1:6379/15: a whole Redis database the bench flushes),
 * BENCH_STORED_REDIS_URL (default redis://127.0.0.1:6379/14: another, for the `stored` scenario's processes).
 *
 * Adding a scenario: a file in bench/scenarios/ exporting a `Scenario` (bench/lib/scenario.ts),
 * added to SCENARIOS below, in run order. Shared pieces: bench/lib/stack.ts (simulator, gateway
 * processes), bench/lib/load.ts (autocannon), bench/lib/rss.ts, bench/lib/report.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { forgetDatabaseNames } from './lib/database';
import { describeEnvironment } from './lib/environment';
import { killAllProcessesNow, stopAllProcesses } from './lib/processes';
import { RESULTS_DIR } from './lib/repo';
import { formatReport, writeReport, type BenchReport, type ScenarioFailure } from './lib/report';
import { targetRows } from './lib/targets';
import { BenchContext, ScenarioSkipped, type BenchSettings, type Scenario, type ScenarioResult } from './lib/scenario';
import { adapterFileDrop } from './scenarios/adapter-file-drop';
import { adapterRest } from './scenarios/adapter-rest';
import { adapterSoap } from './scenarios/adapter-soap';
import { auditApi } from './scenarios/audit-api';
import { auditQuery } from './scenarios/audit-query';
import { bookings, bookingsContended } from './scenarios/bookings';
import { breakerOpen } from './scenarios/breaker-open';
import { callNext } from './scenarios/call-next';
import { dbFloor } from './scenarios/db-floor';
import { direct } from './scenarios/direct';
import { gateway, gatewayC10 } from './scenarios/gateway';
import { gatewayOpen } from './scenarios/gateway-open';
import { gatewayX2 } from './scenarios/gateway-x2';
import { kpis } from './scenarios/kpis';
import { lean } from './scenarios/lean';
import { nginx } from './scenarios/nginx';
import { observability } from './scenarios/observability';
import { replay } from './scenarios/replay';
import { stored } from './scenarios/stored';

/** Run order. A baseline comes before the scenarios compared with it; breaker-open stays last. */
const SCENARIOS: readonly Scenario[] = [
  direct,
  nginx,
  gateway,
  gatewayC10,
  gatewayOpen,
  lean,
  gatewayX2,
  observability,
  dbFloor,
  adapterRest,
  adapterSoap,
  adapterFileDrop,
  replay,
  bookings,
  bookingsContended,
  callNext,
  auditQuery,
  auditApi,
  stored,
  kpis,
  breakerOpen,
];

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      scenario: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      'first-warmup': { type: 'string' },
      connections: { type: 'string' },
      'skip-build': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      'perf-map': { type: 'boolean', default: false },
      'neighbour-limit': { type: 'string' },
      stored: { type: 'string' },
      list: { type: 'boolean', default: false },
    },
  });
  if (values.list) {
    for (const s of SCENARIOS) console.log(`${s.name.padEnd(14)} ${s.summary}${s.baseline ? ` (baseline: ${s.baseline})` : ''}`);
    return 0;
  }

  const startedAt = new Date().toISOString();
  const durationSec = positiveInteger(values.duration, values.quick ? 3 : 10, '--duration');
  const settings: BenchSettings = {
    quick: values.quick,
    durationSec,
    shortDurationSec: values.quick ? Math.min(3, durationSec) : Math.min(10, durationSec),
    warmupSec: positiveInteger(values.warmup, 1, '--warmup'),
    // Long enough for a fresh process's JIT to settle (WarmUps); --quick keeps the CI smoke run short.
    firstWarmupSec: positiveInteger(values['first-warmup'], values.quick ? 1 : 10, '--first-warmup'),
    connections: positiveInteger(values.connections, 50, '--connections'),
    adminDatabaseUrl: process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/15',
    storedRedisUrl: process.env.BENCH_STORED_REDIS_URL ?? 'redis://127.0.0.1:6379/14',
    storedSizes: sizes(values.stored, values.quick ? [0, 100_000] : [0, 1_000_000, 10_000_000]),
    build: !values['skip-build'],
    cpuProfileDir: values['cpu-prof'] ? path.join(RESULTS_DIR, 'profiles', startedAt.replace(/:/g, '-')) : undefined,
    perfMap: values['perf-map'],
    neighbourLimit: positiveInteger(values['neighbour-limit'], 10, '--neighbour-limit') / 100,
  };
  const selected = selectScenarios(values.scenario);
  const log = (line: string): void => console.error(`[bench] ${line}`);
  const ctx = new BenchContext(settings, log);
  stopEverythingOnSignals(ctx);

  const environment = await describeEnvironment(settings.adminDatabaseUrl);
  const results: ScenarioResult[] = [];
  const failures: ScenarioFailure[] = [];
  const skipped: ScenarioFailure[] = [];
  try {
    for (const scenario of selected) {
      log(`${scenario.name}: ${scenario.summary}`);
      ctx.currentScenario = scenario.name;
      forgetDatabaseNames();
      try {
        const outcome = await scenario.run(ctx);
        const result = withBaseline(scenario, outcome, ctx);
        ctx.results.set(scenario.name, result);
        results.push(result);
        log(`${scenario.name}: ${result.load.rps} req/s, p50 ${result.load.p50} ms, p99 ${result.load.p99} ms`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof ScenarioSkipped) {
          skipped.push({ name: scenario.name, error: message });
          log(`${scenario.name} skipped: ${message}`);
          continue;
        }
        const repeated = failures.find((f) => f.error === message);
        failures.push({ name: scenario.name, error: message });
        log(`${scenario.name} FAILED: ${repeated ? `the same error as ${repeated.name}` : message}`);
      }
    }
  } finally {
    await ctx.disposeShared();
    await stopAllProcesses();
  }

  const { adminDatabaseUrl: _admin, redisUrl: _redis, storedRedisUrl: _storedRedis, ...shownSettings } = settings;
  const report: BenchReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    command: [
      ...['BENCH_AUDIT_ROWS', 'BENCH_REPLAY_N'].flatMap((name) => (process.env[name] ? [`${name}=${process.env[name]}`] : [])),
      'npm run bench',
      ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
    ].join(' '),
    environment,
    settings: shownSettings,
    scenarios: results,
    failures,
    skipped,
    targets: targetRows(results, settings.neighbourLimit),
  };
  console.log(formatReport(report));
  const file = writeReport(RESULTS_DIR, report);
  console.log(`\nresults: ${path.relative(process.cwd(), file)} (and bench/results/latest.json)`);
  if (settings.cpuProfileDir) {
    // The profile covers the api's whole life; the tool cuts it to a scenario's load windows.
    mkdirSync(settings.cpuProfileDir, { recursive: true });
    // The root .gitignore covers bench/results/*.json only; profiles are tens of MB.
    writeFileSync(path.join(RESULTS_DIR, 'profiles', '.gitignore'), '*\n');
    writeFileSync(path.join(settings.cpuProfileDir, 'windows.json'), `${JSON.stringify(ctx.loadWindows, null, 2)}\n`);
    const shown = path.relative(process.cwd(), settings.cpuProfileDir);
    console.log(`CPU profile of the api process: ${shown}/ — summarize: node scripts/run-ts.cjs bench/tools/cpuprofile-top.ts ${shown}/<file>.cpuprofile`);
  }
  const failedChecks = results.flatMap((r) => r.checks.filter((c) => !c.ok));
  return failures.length > 0 || failedChecks.length > 0 ? 1 : 0;
}

/** The named scenarios plus, transitively, their baselines, in registry order. */
function selectScenarios(names: string | undefined): Scenario[] {
  if (!names) return [...SCENARIOS];
  const byName = new Map(SCENARIOS.map((s) => [s.name, s]));
  const wanted = new Set<string>();
  const add = (name: string): void => {
    const scenario = byName.get(name);
    if (!scenario) throw new Error(`unknown scenario "${name}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    wanted.add(name);
    if (scenario.baseline) add(scenario.baseline);
  };
  for (const name of names.split(',').map((n) => n.trim()).filter(Boolean)) add(name);
  return SCENARIOS.filter((s) => wanted.has(s.name));
}

function withBaseline(scenario: Scenario, outcome: Awaited<ReturnType<Scenario['run']>>, ctx: BenchContext): ScenarioResult {
  const base = scenario.baseline ? ctx.results.get(scenario.baseline) : undefined;
  return {
    name: scenario.name,
    target: outcome.target,
    load: outcome.load,
    figures: outcome.figures ?? [],
    checks: outcome.checks ?? [],
    notes: outcome.notes ?? [],
    metrics: outcome.metrics ?? {},
    ...(outcome.cpu ? { cpu: outcome.cpu } : {}),
    ...(outcome.requestCost ? { requestCost: outcome.requestCost } : {}),
    ...(outcome.storedPerSubmit ? { storedPerSubmit: outcome.storedPerSubmit } : {}),
    ...(base
      ? {
          baseline: {
            scenario: base.name,
            rpsRatio: outcome.load.rps / base.load.rps,
            p50Ratio: outcome.load.p50 / base.load.p50,
            p99Ratio: outcome.load.p99 / base.load.p99,
          },
        }
      : {}),
  };
}

function stopEverythingOnSignals(ctx: BenchContext): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.error(`\n[bench] ${signal}: stopping the processes this run started …`);
    const exitCode = signal === 'SIGINT' ? 130 : 143;
    const hardStop = setTimeout(() => process.exit(exitCode), 15_000);
    hardStop.unref();
    void ctx
      .disposeShared()
      .then(() => stopAllProcesses(3000))
      .finally(() => process.exit(exitCode));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Whatever way we leave (an exception, process.exit), no child outlives the bench.
  process.once('exit', killAllProcessesNow);
}

function sizes(text: string | undefined, fallback: number[]): number[] {
  if (text === undefined) return fallback;
  const parsed = text.split(',').map((part) => Number(part.trim()));
  if (parsed.length === 0 || parsed.some((n) => !Number.isInteger(n) || n < 0)) throw new Error(`--stored must be a list of whole numbers, got ${text}`);
  return parsed;
}

function positiveInteger(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a positive integer, got ${text}`);
  return value;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
