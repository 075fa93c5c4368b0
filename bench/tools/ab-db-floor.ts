/**
 * PostgreSQL CPU per submit of two schemas, side by side: db-floor's saved pgbench script (the
 * statements the api sends for one submit, bench/results/db-floor.pgbench.sql and its variables)
 * replayed on two freshly migrated databases, A and B, which differ only by the SQL each is given
 * after migrating (e.g. a migration's .down.sql, to compare a migration with the one before it).
 * With --b-script, B replays another script (the same variables): a statement changed by hand,
 * measured against the recorded one, before any code is written for it.
 * Runs alternate A B, B A, … (so drift on the box weighs on both), one unmeasured warm-up each first.
 *
 *   node scripts/run-ts.cjs bench/tools/ab-db-floor.ts <script.sql> <variables.json> [--a-sql <file>] [--b-sql <file>] [--b-script <file>]
 *     [--rounds 5] [--duration 12] [--clients 10] [--warmup 3] [--mode prepared|extended]
 *
 * The CPU is the backends' own: a backend's utime + stime is added to the postmaster's cutime +
 * cstime when it exits, so /proc/<postmaster>/stat is read before a run and a second after it
 * (pgbench has disconnected and its backends are reaped). Other children of the postmaster that
 * exited meanwhile (other databases' sessions, autovacuum workers) are followed every 100 ms and
 * what they had used when last seen is taken off; the backends of the run's own database, followed
 * the same way, are printed beside as a check (a little lower: their last 100 ms are not seen). The
 * server's long-lived processes (WAL writer, checkpointer, …) are not counted. /proc/stat gives how
 * busy the box was over the run. PostgreSQL must run on this machine (its pids are read in /proc).
 * Environment as the bench: BENCH_ADMIN_DATABASE_URL. Both databases are dropped at the end.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { findBinary } from '../lib/binaries';
import { backendDatabase, boxTicks, readStat, reapedChildrenTicks, TICKS_PER_SECOND } from '../lib/cpu';
import { dropDatabase, migrateReused, recreateDatabase, withClient } from '../lib/database';
import { loadAverage } from '../lib/environment';
import { median } from '../lib/latency';
import { pgbenchArgs, processedOf, runPgbench } from '../lib/pgbench-script';
import { sleep, stopAllProcesses } from '../lib/processes';

const ADMIN_URL = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const FOLLOW_EVERY_MS = 100;
/** After pgbench exits, before the postmaster's reaped CPU is read again. */
const REAP_MS = 1000;

interface Side {
  label: 'A' | 'B';
  database: string;
  url: string;
}

interface Run {
  side: 'A' | 'B';
  submits: number;
  failed: number;
  tps: number;
  /** Core-seconds of the side's backends: the postmaster's reaped CPU less what other exited children had used. */
  backends: number;
  /** The same backends as followed every 100 ms (their last moments unseen). */
  followed: number;
  followedBackends: number;
  /** Other children of the postmaster that exited in the run: other databases' sessions, autovacuum. */
  othersExited: number;
  autovacuum: number;
  pgbench: number;
  boxBusy: number;
  boxAvailable: number;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'a-sql': { type: 'string' },
      'b-sql': { type: 'string' },
      'b-script': { type: 'string' },
      rounds: { type: 'string', default: '5' },
      duration: { type: 'string', default: '12' },
      clients: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      mode: { type: 'string', default: 'prepared' },
    },
  });
  if (positionals.length !== 2) throw new Error('usage: ab-db-floor.ts <script.sql> <variables.json> [--a-sql FILE] [--b-sql FILE] [--b-script FILE] [--rounds N] [--duration S] [--clients N] [--warmup S] [--mode prepared|extended]');
  const [scriptFile, variablesFile] = positionals;
  const variables = JSON.parse(readFileSync(variablesFile, 'utf8')) as Record<string, string>;
  const mode = values.mode;
  if (mode !== 'prepared' && mode !== 'extended') throw new Error(`--mode is prepared or extended, got ${mode}`);
  const [rounds, duration, clients, warmup] = [values.rounds, values.duration, values.clients, values.warmup].map(Number);
  if (![rounds, duration, clients].every((n) => Number.isInteger(n) && n > 0) || !(warmup >= 0)) throw new Error('--rounds, --duration and --clients are positive integers');
  const binary = findBinary('pgbench');
  if (!binary) throw new Error('pgbench is not installed (it ships with postgresql-client)');

  const sides: Side[] = [];
  try {
    for (const [label, sqlFile] of [['A', values['a-sql']], ['B', values['b-sql']]] as const) {
      const database = `kiungo_bench_abfloor_${label.toLowerCase()}_${process.pid}`;
      const url = await recreateDatabase(ADMIN_URL, database);
      sides.push({ label, database, url });
      await migrateReused(url);
      if (sqlFile) await withClient(url, (client) => client.query(`BEGIN;\n${readFileSync(sqlFile, 'utf8')}\nCOMMIT;`));
      const script = label === 'B' && values['b-script'] ? `, replaying ${values['b-script']}` : '';
      console.log(`${label}: ${database}, migrated${sqlFile ? `, then ${sqlFile}` : ''}${script}`);
    }
    const postmaster = await postmasterPid(sides[0].url);
    const scriptOf = (side: Side): string => (side.label === 'B' && values['b-script']) || scriptFile;
    const pgbench = (side: Side, seconds: number): Promise<string> =>
      runPgbench(binary, pgbenchArgs({ scriptFile: scriptOf(side), variables, mode, clients, run: ['-T', seconds], databaseUrl: side.url }), `script ${scriptOf(side)}`);

    for (const side of sides) if (warmup > 0) await pgbench(side, warmup);
    const runs: Run[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const side of round % 2 === 1 ? sides : [...sides].reverse()) {
        const run = await measure(side, postmaster, () => pgbench(side, duration));
        runs.push(run);
        console.log(`round ${round} ${describeRun(run)} (load average ${loadAverage()})`);
      }
    }
    for (const side of sides) console.log(`${side.label}: ${await headsCheck(side.url)}`);
    summarize(runs, rounds);
  } finally {
    for (const side of sides) await dropDatabase(ADMIN_URL, side.database);
  }
}

/** One measured pgbench run on a side, its backends' CPU from the postmaster's reaped children. */
async function measure(side: Side, postmaster: number, run: () => Promise<string>): Promise<Run> {
  await sleep(REAP_MS);
  const before = reapedChildrenTicks(`/proc/${postmaster}/stat`);
  const selfBefore = reapedChildrenTicks();
  const boxBefore = boxTicks();
  const follower = followChildren(postmaster);
  const output = await run();
  await sleep(REAP_MS);
  const exited = follower.stop();
  const after = reapedChildrenTicks(`/proc/${postmaster}/stat`);
  const boxAfter = boxTicks();
  let followed = 0;
  let followedBackends = 0;
  let othersExited = 0;
  let autovacuum = 0;
  for (const child of exited) {
    if (backendDatabase(child.title) === side.database) {
      followed += child.ticks;
      followedBackends++;
    } else {
      othersExited += child.ticks;
      if (child.title.includes('autovacuum worker')) autovacuum += child.ticks;
    }
  }
  const processed = processedOf(output);
  const failed = Number(/number of failed transactions: (\d+)/.exec(output)?.[1] ?? 0);
  return {
    side: side.label,
    submits: processed - failed,
    failed,
    tps: Number(/tps = ([\d.]+)/.exec(output)?.[1] ?? NaN),
    backends: (after - before - othersExited) / TICKS_PER_SECOND,
    followed: followed / TICKS_PER_SECOND,
    followedBackends,
    othersExited: othersExited / TICKS_PER_SECOND,
    autovacuum: autovacuum / TICKS_PER_SECOND,
    pgbench: (reapedChildrenTicks() - selfBefore) / TICKS_PER_SECOND,
    boxBusy: (boxAfter.busy - boxBefore.busy) / TICKS_PER_SECOND,
    boxAvailable: (boxAfter.total - boxBefore.total) / TICKS_PER_SECOND,
  };
}

/**
 * Follows the postmaster's children every 100 ms; `stop` gives those that exited meanwhile, each
 * with its title and the CPU it had used when last seen (all its life: that is what its exit adds
 * to the postmaster's cutime).
 */
function followChildren(postmaster: number): { stop(): Array<{ title: string; ticks: number }> } {
  const seen = new Map<number, { title: string; ticks: number }>();
  const sample = (): Set<number> => {
    const alive = new Set<number>();
    let children: string;
    try {
      children = readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8');
    } catch {
      throw new Error(`cannot read the postmaster's children (/proc/${postmaster}/task/${postmaster}/children)`);
    }
    for (const pid of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
      const stat = readStat(`/proc/${pid}/stat`);
      if (!stat) continue;
      alive.add(pid);
      // A child just forked still has the postmaster's command line; its title comes once it knows its role.
      let title = seen.get(pid)?.title ?? '';
      if (!title.startsWith('postgres: ')) {
        try {
          title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
        } catch {
          continue;
        }
      }
      seen.set(pid, { title, ticks: stat.utime + stat.stime });
    }
    return alive;
  };
  sample();
  const timer = setInterval(sample, FOLLOW_EVERY_MS);
  return {
    stop: () => {
      clearInterval(timer);
      const alive = sample();
      return [...seen].filter(([pid]) => !alive.has(pid)).map(([, child]) => child);
    },
  };
}

async function postmasterPid(url: string): Promise<number> {
  return withClient(url, async (client) => {
    const backend = Number((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    const stat = readStat(`/proc/${backend}/stat`);
    if (!stat) throw new Error(`backend ${backend} is not in /proc: PostgreSQL must run on this machine`);
    return stat.ppid;
  });
}

/** Every chain's head is its last event (seq and hash): both schemas appended correctly. */
async function headsCheck(url: string): Promise<string> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ events: string; wrong: string }>(
      `SELECT (SELECT count(*) FROM audit_events) AS events, count(*) FILTER (WHERE e.hash IS DISTINCT FROM h.hash) AS wrong
         FROM audit_chain_heads h
         LEFT JOIN LATERAL (SELECT hash FROM audit_events e WHERE e.shard = h.shard AND e.seq = h.seq) e ON true
        WHERE h.seq > 0`,
    );
    const { events, wrong } = rows[0];
    if (Number(wrong) > 0) throw new Error(`${wrong} chain heads are not their last event's hash`);
    return `${events} audit events, every chain head is its last event`;
  });
}

function msPerSubmit(run: Run, seconds: number): number {
  return (seconds * 1000) / run.submits;
}

function describeRun(run: Run): string {
  return (
    `${run.side}: ${run.submits} submits (${run.failed} failed), ${run.tps.toFixed(1)} tps; PostgreSQL backends ${run.backends.toFixed(2)} core-s = ` +
    `${msPerSubmit(run, run.backends).toFixed(3)} ms/submit (followed: ${run.followedBackends} backends, ${msPerSubmit(run, run.followed).toFixed(3)}); ` +
    `pgbench ${msPerSubmit(run, run.pgbench).toFixed(3)} ms/submit; other exited children ${run.othersExited.toFixed(2)} core-s (autovacuum ${run.autovacuum.toFixed(2)}); ` +
    `box busy ${run.boxBusy.toFixed(1)} of ${run.boxAvailable.toFixed(1)} core-s (${percent(run.boxBusy / run.boxAvailable)}), ` +
    `beyond these backends and pgbench ${percent((run.boxBusy - run.backends - run.pgbench) / run.boxAvailable)}`
  );
}

function summarize(runs: Run[], rounds: number): void {
  const ms = (side: 'A' | 'B'): number[] => runs.filter((r) => r.side === side).map((r) => msPerSubmit(r, r.backends));
  const [a, b] = [ms('A'), ms('B')];
  const ratios = a.map((value, i) => b[i] / value);
  console.log('\nPostgreSQL backends, CPU ms per submit, by round (A, B, B ÷ A):');
  for (let i = 0; i < rounds; i++) console.log(`  ${i + 1}: ${a[i].toFixed(3)}  ${b[i].toFixed(3)}  ${ratios[i].toFixed(3)}`);
  console.log(`median: A ${median(a).toFixed(3)}, B ${median(b).toFixed(3)}; B ÷ A median ${median(ratios).toFixed(3)}, from ${Math.min(...ratios).toFixed(3)} to ${Math.max(...ratios).toFixed(3)}`);
  const busy = runs.map((r) => r.boxBusy / r.boxAvailable);
  console.log(`box busy over the runs (all cores): ${percent(Math.min(...busy))} to ${percent(Math.max(...busy))}`);
}

function percent(share: number): string {
  return `${(share * 100).toFixed(0)} %`;
}

main().then(
  () => stopAllProcesses().then(() => process.exit(0)),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    void stopAllProcesses().then(() => process.exit(1));
  },
);
