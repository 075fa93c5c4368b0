/**
 * Where the CPU went during a measurement window (Linux /proc), so that a slow figure can be told
 * from a busy neighbour on the shared 2-core box:
 * - each process the scenario names (api, worker, simulator, …), by pid;
 * - PostgreSQL: the backends serving the bench's own databases (`kiungo_bench*` that the running
 *   scenario named, told apart by their process title; another run's own `kiungo_bench_run_<pid>`, or a shared
 *   seeded database this run is not using, is a neighbour's) plus the server's own processes (postmaster, WAL writer, checkpointer,
 *   background writer: shared, but mostly busy with our writes). Backends of other databases are
 *   neighbours (other engineers' tests on the same server) and count as "everything else";
 * - Redis: the whole redis-server (shared too; the bench's queue and board use it);
 * - the load generator: this process (autocannon, the open-loop generator, in-process loads) and
 *   the children it waited for in the window (pgbench);
 * - everything else: the box's busy time from /proc/stat minus all of the above.
 * Processes are sampled every half second, so one that exits mid-window (pgbench's backends) keeps
 * what it used up to its last sample.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { namedByThisBench } from './database';

export const TICKS_PER_SECOND = 100; // USER_HZ; 100 on every Linux this runs on
const SAMPLE_EVERY_MS = 500;
/** Databases whose backends count as the bench's PostgreSQL. */
const BENCH_DATABASE_PREFIX = 'kiungo_bench';
/** Each run's own database is `kiungo_bench_run_<pid>` (lib/stack.ts); only this process's counts. */
const RUN_DATABASE_PREFIX = 'kiungo_bench_run_';

export const POSTGRES = 'PostgreSQL';
export const REDIS = 'Redis';
export const LOAD_GENERATOR = 'load generator';
export const EVERYTHING_ELSE = 'everything else';

export interface CpuReport {
  /** Responses the per-request figures divide by (0: none, e.g. a scenario timing SQL only). */
  requests: number;
  windowSec: number;
  /** Core-seconds per part, in display order: the named processes, PostgreSQL, Redis, load generator, everything else. */
  coreSeconds: Record<string, number>;
  /** CPU milliseconds per request per part (same keys); empty without requests. */
  msPerRequest: Record<string, number>;
  /** Of each named process, the part spent in the kernel (syscalls, loopback TCP), core-seconds. */
  kernelSeconds: Record<string, number>;
  postgres: { benchBackends: number; server: number; otherDatabases: number };
  /** Core-seconds the box was busy, and available (wall time × cores). */
  boxBusy: number;
  boxAvailable: number;
  /** `everything else` ÷ available: how much of the box neighbours took. */
  neighbourShare: number;
}

export interface CpuWatch {
  /** Stops sampling; `requests` (responses in the window) gives the per-request figures. */
  stop(requests?: number): CpuReport;
}

type Kind = { part: string } | { postgres: 'bench' | 'server' | 'other' } | { redis: true } | { self: true } | { other: true };

interface Seen {
  kind: Kind;
  first: number;
  last: number;
  firstKernel: number;
  lastKernel: number;
}

/**
 * Starts counting now. `processes`: label → pid (or pids, summed) of each process to show on its
 * own, e.g. { api: 1234, worker: 1240 }.
 */
export function watchCpu(processes: Record<string, number | readonly number[]>): CpuWatch {
  const labelOf = new Map(Object.entries(processes).flatMap(([label, pids]) => (typeof pids === 'number' ? [pids] : pids).map((pid) => [pid, label] as const)));
  const seen = new Map<number, Seen>();
  const boxBefore = boxTicks();
  const reapedBefore = reapedChildrenTicks();
  const started = performance.now();
  let initial = true;

  const sample = (): void => {
    for (const [pid, ticks] of allProcessTicks()) {
      const entry = seen.get(pid);
      if (entry) {
        entry.last = ticks.total;
        entry.lastKernel = ticks.kernel;
        continue;
      }
      // A process first seen after the initial scan was born in the window: all it used counts.
      const first = initial ? ticks.total : 0;
      const firstKernel = initial ? ticks.kernel : 0;
      seen.set(pid, { kind: classify(pid, ticks.comm, labelOf), first, last: ticks.total, firstKernel, lastKernel: ticks.kernel });
    }
    initial = false;
  };
  sample();
  const timer = setInterval(sample, SAMPLE_EVERY_MS);
  timer.unref();

  return {
    stop: (requests = 0) => {
      clearInterval(timer);
      sample();
      const boxAfter = boxTicks();
      const windowSec = (performance.now() - started) / 1000;
      const used = new Map<string, number>();
      const kernel: Record<string, number> = {};
      const postgres = { bench: 0, server: 0, other: 0 };
      let redis = 0;
      let self = (reapedChildrenTicks() - reapedBefore) / TICKS_PER_SECOND;
      for (const entry of seen.values()) {
        const seconds = Math.max(0, entry.last - entry.first) / TICKS_PER_SECOND;
        const { kind } = entry;
        if ('part' in kind) {
          used.set(kind.part, (used.get(kind.part) ?? 0) + seconds);
          kernel[kind.part] = (kernel[kind.part] ?? 0) + Math.max(0, entry.lastKernel - entry.firstKernel) / TICKS_PER_SECOND;
        } else if ('postgres' in kind) postgres[kind.postgres] += seconds;
        else if ('redis' in kind) redis += seconds;
        else if ('self' in kind) self += seconds;
      }
      const boxBusy = (boxAfter.busy - boxBefore.busy) / TICKS_PER_SECOND;
      const boxAvailable = (boxAfter.total - boxBefore.total) / TICKS_PER_SECOND;
      const coreSeconds: Record<string, number> = {};
      for (const label of Object.keys(processes)) coreSeconds[label] = used.get(label) ?? 0;
      coreSeconds[POSTGRES] = postgres.bench + postgres.server;
      coreSeconds[REDIS] = redis;
      coreSeconds[LOAD_GENERATOR] = self;
      const ours = Object.values(coreSeconds).reduce((a, b) => a + b, 0);
      coreSeconds[EVERYTHING_ELSE] = Math.max(0, boxBusy - ours);
      const msPerRequest: Record<string, number> = {};
      if (requests > 0) for (const [part, seconds] of Object.entries(coreSeconds)) msPerRequest[part] = round((seconds * 1000) / requests, 3);
      return {
        requests,
        windowSec: round(windowSec, 2),
        coreSeconds: mapValues(coreSeconds, (s) => round(s, 2)),
        msPerRequest,
        kernelSeconds: mapValues(kernel, (s) => round(s, 2)),
        postgres: { benchBackends: round(postgres.bench, 2), server: round(postgres.server, 2), otherDatabases: round(postgres.other, 2) },
        boxBusy: round(boxBusy, 2),
        boxAvailable: round(boxAvailable, 2),
        neighbourShare: boxAvailable > 0 ? round(coreSeconds[EVERYTHING_ELSE] / boxAvailable, 3) : 0,
      };
    },
  };
}

/** CPU ms per request, part by part: "api 0.78, PostgreSQL 0.96, …". */
export function describeCpuPerRequest(msPerRequest: Record<string, number>): string {
  return Object.entries(msPerRequest).map(([part, ms]) => `${part} ${ms.toFixed(2)}`).join(', ');
}

/** The report's lines for a scenario's details. */
export function describeCpu(report: CpuReport): string[] {
  const parts = Object.entries(report.coreSeconds).map(([part, s]) => {
    const inKernel = report.kernelSeconds[part];
    return `${part} ${s.toFixed(2)}${inKernel !== undefined ? ` (kernel ${inKernel.toFixed(2)})` : ''}`;
  });
  const lines = [
    `CPU core-seconds in the ${report.windowSec} s window: ${parts.join(', ')}; box busy ${report.boxBusy.toFixed(1)} of ${report.boxAvailable.toFixed(1)}`,
    `  PostgreSQL = bench databases' backends ${report.postgres.benchBackends.toFixed(2)} + server processes ${report.postgres.server.toFixed(2)}; ` +
      `other databases' backends ${report.postgres.otherDatabases.toFixed(2)} are in "everything else"`,
  ];
  if (report.requests > 0) {
    lines.push(`CPU ms per request (${report.requests} requests): ${describeCpuPerRequest(report.msPerRequest)}`);
  }
  return lines;
}

function classify(pid: number, comm: string, labelOf: Map<number, string>): Kind {
  const label = labelOf.get(pid);
  if (label) return { part: label };
  if (pid === process.pid) return { self: true };
  if (comm === 'postgres') return { postgres: postgresRole(pid) };
  if (comm === 'redis-server') return { redis: true };
  return { other: true };
}

/**
 * A backend's title is `postgres: [cluster: ]user database host(port) state`; anything else named
 * postgres (the postmaster, checkpointer, WAL writer, …) is the server's own.
 */
function postgresRole(pid: number): 'bench' | 'server' | 'other' {
  let title: string;
  try {
    title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return 'other';
  }
  const database = backendDatabase(title);
  if (!database) return 'server';
  // Another engineer's bench on the same server is a neighbour, not ours: their run database, and a
  // shared seeded one that this run has not named (someone else seeding or measuring it).
  if (database.startsWith(RUN_DATABASE_PREFIX)) return database === `${RUN_DATABASE_PREFIX}${process.pid}` ? 'bench' : 'other';
  return database.startsWith(BENCH_DATABASE_PREFIX) && namedByThisBench(database) ? 'bench' : 'other';
}

/** utime + stime of one process, in ms; NaN once it is gone. */
export function processCpuMs(pid: number): number {
  const stat = readStat(`/proc/${pid}/stat`);
  return stat ? ((stat.utime + stat.stime) * 1000) / TICKS_PER_SECOND : NaN;
}

/** utime + stime (and stime alone) of every process, with its command name. */
function allProcessTicks(): Map<number, { comm: string; total: number; kernel: number }> {
  const result = new Map<number, { comm: string; total: number; kernel: number }>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return result;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(`/proc/${entry}/stat`);
    if (stat) result.set(Number(entry), { comm: stat.comm, total: stat.utime + stat.stime, kernel: stat.stime });
  }
  return result;
}

/** A backend's database, from its title (`postgres: [cluster: ]user database host(port) state`); undefined for the server's own processes. */
export function backendDatabase(title: string): string | undefined {
  return /^postgres: (?:\S+: )?\S+ (\S+) (?:\S+\(\d+\)|\[local\])/.exec(title)?.[1];
}

/** CPU of a process's children that exited and were waited for (cutime + cstime), in ticks: this process's unless `stat` names another's. */
export function reapedChildrenTicks(stat = '/proc/self/stat'): number {
  const read = readStat(stat);
  if (!read) throw new Error(`${stat} is gone`);
  return read.cutime + read.cstime;
}

/** /proc/<pid>/stat's command name, parent and CPU ticks (utime, stime; cutime, cstime: its reaped children's), or undefined once gone. */
export function readStat(file: string): { comm: string; ppid: number; utime: number; stime: number; cutime: number; cstime: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  // Fields 14–17 of the line (utime, stime, cutime, cstime) are 11–14 after the name.
  return { comm: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(fields[1]), utime: Number(fields[11]), stime: Number(fields[12]), cutime: Number(fields[13]), cstime: Number(fields[14]) };
}

/** /proc/stat's first line in ticks: busy (all but idle and iowait) and total, summed over the cores. */
export function boxTicks(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const values = line.trim().split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
    const total = values.reduce((a, b) => a + b, 0);
    return { busy: total - values[3] - values[4], total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

function mapValues<T>(record: Record<string, T>, f: (value: T) => number): Record<string, number> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value)]));
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
