/**
 * `npm run chaos [-- --short] [-- --faults=agency-flap,worker-kill]`: a scripted fault run against
 * production mode (2 api processes, 1 worker, real PostgreSQL and Redis, REST agency simulators)
 * under steady traffic of transactions and bookings. Faults come one after another; then traffic
 * stops, agencies are healthy again, the system settles (bounded), and the checks run.
 * Exit code 1 when any check fails (anything lost, left open, filed twice, overbooked, or an
 * audit chain broken), 2 when the run itself could not finish.
 *
 * Options:
 *   --short              CI: ~6 s per fault, 20 transactions/s (about 1.5 minutes in all)
 *   --faults a,b         a subset, in that order (default: all; see FAULT_NAMES in lib/faults.ts)
 *   --skip-build         use dist/ as it is, even when older than the sources
 * Environment: CHAOS_ADMIN_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres; the
 * database kiungo_chaos is dropped and created), CHAOS_REDIS_URL (default redis://127.0.0.1:6379/14,
 * flushed), CHAOS_PG_CTL (an executable called with `restart` / `start`; default pg_ctlcluster on the
 * box's one cluster). The redis-restart and pg-restart faults restart the Redis server on that URL's
 * port and that PostgreSQL: every client of them loses its connections (and Redis every key).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureBuilt } from '../bench/lib/build';
import { flushRedisDb } from '../bench/lib/database';
import { describeEnvironment } from '../bench/lib/environment';
import { killAllProcessesNow, sleep, stopAllProcesses } from '../bench/lib/processes';
import { REPO_ROOT } from '../bench/lib/repo';
import { runChecks, waitToSettle, type Check } from './lib/checks';
import { injectFault, parseFaults, type FaultRecord } from './lib/faults';
import { ensureInfrastructureUp } from './lib/infra';
import { startChaosStack, type ChaosStack } from './lib/stack';
import { formatReport, summarizeTraffic, type ChaosReport } from './lib/summary';
import { SteadyTraffic } from './lib/traffic';
import { bookingPlanner, prepareSlots, transactionPlanner } from './lib/workload';

const PROFILES = {
  short: { txPerSecond: 20, bookingBurstsPerSecond: 1, warmUpMs: 3000, faultBudgetMs: 6000, gapMs: 2000, settleMs: 60_000, hardLimitMs: 300_000 },
  full: { txPerSecond: 40, bookingBurstsPerSecond: 2, warmUpMs: 10_000, faultBudgetMs: 30_000, gapMs: 10_000, settleMs: 90_000, hardLimitMs: 900_000 },
};
/** Each booking burst: this many citizens race for one slot of PLACES_PER_SLOT places. */
const PLACES_PER_SLOT = 3;
const BOOKING_BURST = 5;
const RESULTS_DIR = path.join(REPO_ROOT, 'chaos', 'results');

const log = (line: string): void => console.error(`[chaos] ${new Date().toISOString().slice(11, 19)} ${line}`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      short: { type: 'boolean', default: false },
      faults: { type: 'string' },
      'skip-build': { type: 'boolean', default: false },
    },
  });
  const profile = values.short ? PROFILES.short : PROFILES.full;
  const faults = parseFaults(values.faults);
  const infra = {
    adminDatabaseUrl: process.env.CHAOS_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: process.env.CHAOS_REDIS_URL ?? 'redis://127.0.0.1:6379/14',
  };
  const startedAt = new Date();
  let stack: ChaosStack | undefined;
  const cleanUp = async (): Promise<void> => {
    await stack?.stop().catch((error: Error) => log(`stopping the stack: ${error.message}`));
    await stopAllProcesses(3000);
    await ensureInfrastructureUp(infra, log).catch((error: Error) => log(`could not bring Redis/PostgreSQL back: ${error.message}`));
    await flushRedisDb(infra.redisUrl).catch(() => undefined);
  };
  stopEverythingOnSignals(cleanUp, profile.hardLimitMs);

  await ensureInfrastructureUp(infra, log);
  if (!values['skip-build'] && ensureBuilt(log) === 'built') log('build done');
  const environment = {
    ...(await describeEnvironment(infra.adminDatabaseUrl)),
    sharing: 'all cores are shared by the traffic generator (this process), the simulators, PostgreSQL, Redis and the gateway processes',
  };

  try {
    stack = await startChaosStack({ ...infra, log });
    const live = stack;
    const [channelToken, adminToken] = await Promise.all([live.deployment.token('channel', 'chaos'), live.deployment.token('admin', 'chaos-admin')]);
    // One slot per burst for the whole run (restarts take longer than the budget: room to spare).
    const trafficSeconds = (profile.warmUpMs + faults.length * (profile.faultBudgetMs + profile.gapMs)) / 1000;
    const slotsWanted = Math.ceil(trafficSeconds * profile.bookingBurstsPerSecond * 1.5) + 10;
    const slots = await prepareSlots(live.apis[0].url, adminToken, { placesPerSlot: PLACES_PER_SLOT, count: slotsWanted });
    log(`${slots.length} slots of ${PLACES_PER_SLOT} places from ${slots[0].start.slice(0, 10)}; faults: ${faults.join(', ')}`);

    const runStartedAt = Date.now();
    const common = { apiUrl: (i: number) => live.apis[i].url, apiCount: 2, token: channelToken, runStartedAt };
    const transactions = new SteadyTraffic({
      ...common,
      perSecond: profile.txPerSecond,
      next: transactionPlanner(live.catalogueDir),
      idOf: (body) => (typeof body.id === 'string' ? body.id : undefined),
    });
    const bookings = new SteadyTraffic({
      ...common,
      perSecond: profile.bookingBurstsPerSecond,
      next: bookingPlanner(slots, BOOKING_BURST),
      idOf: (body) => (typeof body.reference === 'string' ? body.reference : undefined),
    });
    transactions.start();
    bookings.start();
    await sleep(profile.warmUpMs);

    const injected: FaultRecord[] = [];
    for (const name of faults) {
      injected.push(await injectFault(name, { stack: live, ...infra, log, budgetMs: profile.faultBudgetMs }, runStartedAt));
      await sleep(profile.gapMs);
    }

    log('stopping traffic; agencies healthy; settling …');
    await Promise.all([transactions.stop(), bookings.stop()]);
    await live.healAgencies();
    const settling = await waitToSettle(live.deployment.databaseUrl, profile.settleMs, log);
    const sent = [...transactions.sent, ...bookings.sent];
    const checks: Check[] = [
      { label: 'every fault injected', ok: injected.every((f) => f.ok), detail: `${injected.filter((f) => f.ok).length} of ${injected.length}` },
      processesAlive(live, startedAt),
      ...(await runChecks(live, sent, PLACES_PER_SLOT)),
    ];
    const report: ChaosReport = {
      command: ['npm run chaos', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      environment,
      settings: { ...profile, placesPerSlot: PLACES_PER_SLOT, bookingBurst: BOOKING_BURST, slots: slots.length, faults },
      faults: injected,
      traffic: [
        summarizeTraffic('transactions', profile.txPerSecond, transactions.sent, transactions.skipped),
        summarizeTraffic(`bookings (bursts of ${BOOKING_BURST})`, profile.bookingBurstsPerSecond * BOOKING_BURST, bookings.sent, bookings.skipped),
      ],
      settling,
      checks,
      ok: checks.every((c) => c.ok),
    };
    console.log(formatReport(report));
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = path.join(RESULTS_DIR, `chaos-${report.startedAt.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(path.join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nresults: ${path.relative(process.cwd(), file)} (and chaos/results/latest.json)`);
    return report.ok ? 0 : 1;
  } finally {
    await cleanUp();
  }
}

/** The gateway processes of the end are running (a crash under a fault would show here; its output is kept). */
function processesAlive(stack: ChaosStack, startedAt: Date): Check {
  const all = [...stack.apis, stack.worker];
  const dead = all.filter((p) => !p.process.running());
  mkdirSync(RESULTS_DIR, { recursive: true });
  const logs = dead.map((p) => {
    const file = path.join(RESULTS_DIR, `crash-${startedAt.toISOString().replace(/[:.]/g, '-')}-${p.role}-${p.pid}.log`);
    writeFileSync(file, p.process.output());
    return path.relative(REPO_ROOT, file);
  });
  return {
    label: 'the gateway processes survived the faults they were not killed by',
    ok: dead.length === 0,
    detail:
      `${all.length - dead.length} of ${all.length} running (pids ${all.map((p) => p.pid).join(', ')})` +
      dead.map((p, i) => `; ${p.role} pid ${p.pid} exited (output in ${logs[i]}): ${lastError(p.process.output())}`).join(''),
  };
}

/** The first line that looks like the error a process died of. */
function lastError(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const error = [...lines].reverse().find((l) => /error|fatal|unhandled/i.test(l));
  return (error ?? lines.at(-1) ?? '(no output)').slice(0, 300);
}

function stopEverythingOnSignals(cleanUp: () => Promise<void>, hardLimitMs: number): void {
  let stopping = false;
  const stop = (why: string, exitCode: number): void => {
    if (stopping) return;
    stopping = true;
    log(`${why}: stopping the processes this run started …`);
    const hardStop = setTimeout(() => process.exit(exitCode), 30_000);
    hardStop.unref();
    void cleanUp().finally(() => process.exit(exitCode));
  };
  process.once('SIGINT', () => stop('SIGINT', 130));
  process.once('SIGTERM', () => stop('SIGTERM', 143));
  // Everything stops by itself: a run that overstays its limit is cut short and fails.
  setTimeout(() => stop(`the run took longer than ${hardLimitMs / 1000} s`, 2), hardLimitMs).unref();
  process.once('exit', killAllProcessesNow);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`chaos run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(2);
  },
);
