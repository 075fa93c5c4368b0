/**
 * Where a load's latency tail comes from. While a load runs, `watchTail` gathers, each with its
 * wall-clock time:
 * - from the api (the probe's tail watch, probe/tail.cjs): event-loop delay and utilization, loop
 *   stalls, garbage-collection pauses, waits for a pg pool connection, every SQL statement's and
 *   Redis command's round trip, and how long it took to answer every request it served;
 * - from PostgreSQL: pg_stat_activity of the run's database every SAMPLE_MS (what each backend is
 *   doing or waiting for: CPU, a lock, WAL, or idle in a transaction, i.e. waiting for the api;
 *   the worker's backends prefixed `worker `, autovacuum's and other non-client backends by their type),
 *   read over a connection to the admin database so the sampler's own backend is not counted as
 *   the run's PostgreSQL in the CPU figures (lib/cpu.ts);
 * - from the box: /proc/loadavg's runnable tasks at the same moments (more than the 2 cores: CPU
 *   queueing), and the CPU each of the stack's processes (api, worker, simulator), the bench itself (the
 *   load generator) and the whole box (`box`, in cores: PostgreSQL and neighbours are the rest) used since the last sample.
 * Then it lines the slowest 1 % of the requests up with all of that, and writes the raw samples to
 * bench/results/tail/ (ignored by git) so a slow request can be looked up in time.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { boxTicks, LOAD_GENERATOR, processCpuMs, TICKS_PER_SECOND } from './cpu';
import { quantileOfSorted } from './latency';
import type { ProcessTail, Probe } from './probe/client';
import { RESULTS_DIR } from './repo';
import type { Figure } from './scenario';

/** One request as the load generator saw it: sent at (ms since the epoch), latency, status (0: failed). */
export interface RequestSample {
  at: number;
  ms: number;
  status: number;
}

/** pg_stat_activity and /proc once: backends of the run's database by what they do, runnable tasks on the box, CPU share (0–1 of a core) of each process since the sample before. */
interface ActivitySample {
  at: number;
  backends: Record<string, number>;
  runnable: number;
  cpu: Record<string, number>;
}

export interface TailReport {
  /** For the targets table: `loopDelayP99`, `gcPauseMs`, `gcShare`, `poolWaitP99`, ... */
  metrics: Record<string, number>;
  figures: Figure[];
  file: string;
}

export interface TailWatch {
  /** Stops watching; `samples` are the load's requests (RequestSample). */
  stop(samples: readonly RequestSample[]): Promise<TailReport>;
  /** Stops watching without a report (the load failed); nothing once stopped. Call it in a `finally`. */
  cancel(): Promise<void>;
}

const SAMPLE_MS = 20;
/** A stall this long inside a slow request is counted as a cause. */
const STALL_COUNTED_MS = 10;
/** A statement this slow sent while a slow request waited is counted as a cause. */
const SLOW_STATEMENT_MS = 10;
export const TAIL_DIR = path.join(RESULTS_DIR, 'tail');

/** `databaseUrl`: the run's database, whose backends are sampled; `adminDatabaseUrl`: the one the sampler connects to. */
export async function watchTail(options: { label: string; api: Probe; databaseUrl: string; adminDatabaseUrl: string; processes: Record<string, number> }): Promise<TailWatch> {
  const stopApi = await options.api.watchTail();
  const activity = sampleActivity(options.adminDatabaseUrl, decodeURIComponent(new URL(options.databaseUrl).pathname.slice(1)), options.processes);
  let stopped = false;
  return {
    async stop(samples) {
      stopped = true;
      const [api, pg] = await Promise.all([stopApi(), activity.stop()]);
      return explainTail(options.label, samples, api, pg.samples, pg.failure);
    },
    async cancel() {
      if (stopped) return;
      stopped = true;
      // The api may be what failed: its watch is left to end with it.
      await Promise.all([stopApi().catch(() => undefined), activity.stop()]);
    },
  };
}

function sampleActivity(adminDatabaseUrl: string, database: string, processes: Record<string, number>): { stop(): Promise<{ samples: ActivitySample[]; failure?: string }> } {
  const samples: ActivitySample[] = [];
  // Beside the stack's processes: the bench itself (the load generator) and the whole box (busy cores, neighbours and PostgreSQL included).
  const cpuNow = (): Record<string, number> => ({
    ...Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, processCpuMs(pid)])),
    [LOAD_GENERATOR]: processCpuMs(process.pid),
    box: (boxTicks().busy * 1000) / TICKS_PER_SECOND,
  });
  let last = { at: Date.now(), cpu: cpuNow() };
  let running = true;
  let failure: string | undefined;
  const client = new Client({ connectionString: adminDatabaseUrl, application_name: 'bench-tail-sampler' });
  // A connection the server ends (a database dropped WITH FORCE, a restart) is reported with the
  // samples, never thrown at the bench process.
  client.on('error', (error: Error) => (failure ??= error.message));
  const loop = (async () => {
    await client.connect();
    try {
      while (running) {
        const at = Date.now();
        const { rows } = await client.query<{ what: string; n: string }>(
          `SELECT CASE WHEN backend_type <> 'client backend' THEN backend_type || ' '
                       WHEN application_name LIKE '%-worker' THEN 'worker ' ELSE '' END ||
                  CASE WHEN state = 'active' THEN coalesce(wait_event_type || ':' || wait_event, 'CPU')
                       WHEN state LIKE 'idle in transaction%' THEN 'idle in transaction' END AS what, count(*) AS n
             FROM pg_stat_activity
            WHERE datname = $1 AND (state = 'active' OR state LIKE 'idle in transaction%')
            GROUP BY 1`,
          [database],
        );
        // The sampler itself is one of the runnable tasks.
        const runnable = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[3].split('/')[0]) - 1;
        const now = { at: Date.now(), cpu: cpuNow() };
        const cpu = Object.fromEntries(Object.keys(now.cpu).map((name) => [name, round((now.cpu[name] - last.cpu[name]) / Math.max(1, now.at - last.at))]));
        last = now;
        samples.push({ at, backends: Object.fromEntries(rows.map((row) => [row.what, Number(row.n)])), runnable, cpu });
        await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
      }
    } finally {
      await client.end().catch(() => undefined);
    }
  })().catch((error: unknown) => {
    failure ??= error instanceof Error ? error.message : String(error);
  });
  return {
    async stop() {
      running = false;
      await loop;
      return { samples, ...(failure ? { failure } : {}) };
    },
  };
}

function explainTail(label: string, samples: readonly RequestSample[], api: ProcessTail, activity: ActivitySample[], samplerFailure?: string): TailReport {
  const sorted = [...samples].sort((a, b) => a.ms - b.ms);
  const p99 = quantileOfSorted(sorted.map((s) => s.ms), 0.99);
  const slow = sorted.filter((s) => s.ms >= p99);
  const from = Math.max(api.from, samples.reduce((min, s) => Math.min(min, s.at), Infinity));
  const to = Math.min(api.to, samples.reduce((max, s) => Math.max(max, s.at + s.ms), 0));
  const windowMs = Math.max(1, to - from);
  const inWindow = <T extends [number, number, ...unknown[]]>(events: T[]): T[] => events.filter(([at, ms]) => at + ms >= from && at <= to);

  const gc = inWindow(api.gc);
  const gcTotal = sum(gc.map(([, ms]) => ms));
  const gcByKind: Record<string, { n: number; ms: number }> = {};
  for (const [, ms, kind] of gc) {
    gcByKind[kind] ??= { n: 0, ms: 0 };
    gcByKind[kind].n++;
    gcByKind[kind].ms += ms;
  }
  const stalls = inWindow(api.stalls);
  // What the young generation promoted: the old generation's growth between samples, its drops (a
  // mark-compact) left out, per request served.
  const heap = api.heap.filter(([at]) => at >= from && at <= to);
  const promotedKiB = sum(heap.slice(1).map(([, kib], i) => Math.max(0, kib - heap[i][1])));
  const redis = api.redis.filter(([at]) => at >= from && at <= to);
  const redisMs = redis.map(([, ms]) => ms).sort((a, b) => a - b);
  const queries = api.queries.filter(([at]) => at >= from && at <= to);
  const queryMs = queries.map(([, ms]) => ms).sort((a, b) => a - b);
  const apiCpu = mean(windowActivityOf(activity, from, to).map((a) => a.cpu.api).filter(Number.isFinite));
  const served = api.served.filter(([at]) => at >= from && at <= to).map(([, ms]) => ms).sort((a, b) => a - b);
  const poolWaits = inWindow(api.pool.waits);
  const poolFullWaits = poolWaits.filter(([, , full]) => full === 1);

  // What was going on while each slow request waited: overlap (ms) of its interval with api stalls
  // and GC pauses; PostgreSQL's and the box's state in the samples taken meanwhile.
  const overlap = (sample: RequestSample, events: Array<[number, number, ...unknown[]]>): number =>
    sum(events.map(([at, ms]) => Math.max(0, Math.min(sample.at + sample.ms, at + ms) - Math.max(sample.at, at))));
  const slowStalled = slow.filter((s) => stalls.some(([at, ms]) => ms >= STALL_COUNTED_MS && at < s.at + s.ms && at + ms > s.at));
  const slowGc = slow.filter((s) => overlap(s, gc) > 0);
  const slowStallMs = mean(slow.map((s) => overlap(s, stalls)));
  const slowGcMs = mean(slow.map((s) => overlap(s, gc)));
  // A statement that took SLOW_STATEMENT_MS or more, sent while the slow request waited.
  const slowQueries = slow.filter((s) => queries.some(([at, ms]) => ms >= SLOW_STATEMENT_MS && at >= s.at && at <= s.at + s.ms));
  const slowPoolWait = slow.filter((s) => poolFullWaits.some(([at]) => at >= s.at && at <= s.at + s.ms));
  const during = (sample: RequestSample): ActivitySample[] => activity.filter((a) => a.at >= sample.at && a.at <= sample.at + sample.ms);
  const slowActivity = slow.flatMap(during);
  const windowActivity = windowActivityOf(activity, from, to);

  const file = path.join(TAIL_DIR, `${label}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(TAIL_DIR, { recursive: true });
  writeFileSync(file, JSON.stringify({ label, from, to, p99, samples, api, activity }));

  const loadP99 = round(p99);
  const figures: Figure[] = [
    {
      label: 'tail: api event loop over the window (monitorEventLoopDelay, 10 ms resolution)',
      value: `delay p50 ${api.loopDelay.p50} / p99 ${api.loopDelay.p99} / max ${api.loopDelay.max} ms; busy ${pct(api.loopUtilization)} of the time while using ${pct(apiCpu)} of a core (busy beyond its CPU: waiting for one); stalls ≥ ${STALL_COUNTED_MS} ms: ${stalls.filter(([, ms]) => ms >= STALL_COUNTED_MS).length} (longest ${round(Math.max(0, ...stalls.map(([, ms]) => ms)))} ms)`,
    },
    {
      label: 'tail: api GC pauses over the window',
      value: `${gc.length} pauses, ${round(gcTotal)} ms in all (${pct(gcTotal / windowMs)} of the window), longest ${round(Math.max(0, ...gc.map(([, ms]) => ms)))} ms; ${Object.entries(gcByKind)
        .map(([kind, k]) => `${kind} ${k.n} × ${round(k.ms / k.n)} ms`)
        .join(', ')}`,
    },
    {
      label: 'tail: api old generation (sampled every 250 ms)',
      value: `${round((heap[0]?.[1] ?? 0) / 1024)} → ${round((heap.at(-1)?.[1] ?? 0) / 1024)} MiB, grew ${round(promotedKiB / 1024)} MiB in all: ${round(promotedKiB / Math.max(1, served.length))} KiB promoted per request served (what fills it toward a mark-compact)`,
    },
    {
      label: 'tail: api answer time (request in → response written) vs the load generator\'s latency',
      value: `api p50 ${round(quantileOfSorted(served, 0.5))} / p99 ${round(quantileOfSorted(served, 0.99))} ms; load generator p50 ${round(quantileOfSorted(sorted.map((s) => s.ms), 0.5))} / p99 ${loadP99} ms`,
    },
    {
      label: 'tail: api pg pool, waits for a connection',
      value:
        `${api.pool.connects} connections taken, ${api.pool.full} of them asked for with every connection busy; ${poolWaits.length} waited > 1 ms, ${poolFullWaits.length} of those on a full pool ` +
        `(longest ${round(Math.max(0, ...poolFullWaits.map(([, ms]) => ms)))} ms; the rest is the api's loop being late)`,
    },
    {
      label: 'tail: api Redis commands (round trip as the api saw it)',
      value: `${redis.length} (${round(redis.length / Math.max(1, served.length))} per request served), p50 ${round(quantileOfSorted(redisMs, 0.5))} / p99 ${round(quantileOfSorted(redisMs, 0.99))} / max ${round(redisMs.at(-1) ?? 0)} ms; ${Object.entries(countBy(redis.map(([, , name]) => name))).map(([name, n]) => `${name} ${n}`).join(', ')}`,
    },
    {
      label: 'tail: api SQL statements (round trip as the api saw it, the pg client\'s own queue included)',
      value: `${queries.length} (${round(queries.length / Math.max(1, served.length))} per request served), p50 ${round(quantileOfSorted(queryMs, 0.5))} / p99 ${round(quantileOfSorted(queryMs, 0.99))} / max ${round(queryMs.at(-1) ?? 0)} ms; ≥ ${SLOW_STATEMENT_MS} ms: ${Object.entries(countBy(queries.filter(([, ms]) => ms >= SLOW_STATEMENT_MS).map(([, , name]) => name))).map(([name, n]) => `${name} ${n}`).join(', ') || 'none'}`,
    },
    {
      label: `tail: PostgreSQL backends of the run's database (pg_stat_activity every ${SAMPLE_MS} ms, mean count)`,
      value: describeBackends(windowActivity) + (samplerFailure ? ` (the sampler stopped after ${activity.length} samples: ${samplerFailure})` : ''),
    },
    {
      label: `tail: the slowest 1 % (${slow.length} requests ≥ ${loadP99} ms): what happened meanwhile`,
      value:
        `${pct(slowStalled.length / Math.max(1, slow.length))} saw an api stall ≥ ${STALL_COUNTED_MS} ms (mean ${round(slowStallMs)} ms of stall inside), ` +
        `${pct(slowGc.length / Math.max(1, slow.length))} a GC pause (mean ${round(slowGcMs)} ms inside), ${pct(slowPoolWait.length / Math.max(1, slow.length))} a wait on a full pool, ` +
        `${pct(slowQueries.length / Math.max(1, slow.length))} an SQL statement of ≥ ${SLOW_STATEMENT_MS} ms; ` +
        `runnable tasks on the box ${round(mean(slowActivity.map((a) => a.runnable)))} (window mean ${round(mean(windowActivity.map((a) => a.runnable)))}); ` +
        `CPU share meanwhile ${describeCpu(slowActivity)} (window ${describeCpu(windowActivity)}); PostgreSQL meanwhile: ${describeBackends(slowActivity)}`,
    },
    { label: 'tail: raw samples (requests, api stalls/GC/served, pg_stat_activity) for lining up in time', value: path.relative(process.cwd(), file) },
  ];
  return {
    metrics: {
      loopDelayP99: api.loopDelay.p99,
      loopDelayMax: api.loopDelay.max,
      loopUtilization: api.loopUtilization,
      apiCpuShare: round(apiCpu),
      redisP99: round(quantileOfSorted(redisMs, 0.99)),
      statementP99: round(quantileOfSorted(queryMs, 0.99)),
      gcPauseMs: round(gcTotal),
      gcShare: round((100 * gcTotal) / windowMs),
      gcPauseMax: round(Math.max(0, ...gc.map(([, ms]) => ms))),
      promotedKiBPerRequest: round(promotedKiB / Math.max(1, served.length)),
      apiServedP99: round(quantileOfSorted(served, 0.99)),
      slowWithStallShare: round((100 * slowStalled.length) / Math.max(1, slow.length)),
      runnableMean: round(mean(windowActivity.map((a) => a.runnable))),
      runnableSlow: round(mean(slowActivity.map((a) => a.runnable))),
    },
    figures,
    file,
  };
}

function windowActivityOf(activity: ActivitySample[], from: number, to: number): ActivitySample[] {
  return activity.filter((a) => a.at >= from && a.at <= to);
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function describeCpu(activity: ActivitySample[]): string {
  const names = Object.keys(activity[0]?.cpu ?? {});
  return names.map((name) => `${name} ${pct(mean(activity.map((a) => a.cpu[name]).filter(Number.isFinite)))}`).join(', ') || 'no samples';
}

function describeBackends(activity: ActivitySample[]): string {
  if (activity.length === 0) return 'no samples';
  const totals: Record<string, number> = {};
  for (const sample of activity) for (const [what, n] of Object.entries(sample.backends)) totals[what] = (totals[what] ?? 0) + n;
  const parts = Object.entries(totals)
    .sort((a, b) => b[1] - a[1])
    .map(([what, n]) => `${what} ${round(n / activity.length)}`);
  return parts.length === 0 ? 'none active' : parts.join(', ');
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : sum(values) / values.length;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function pct(share: number): string {
  return `${Math.round(share * 1000) / 10} %`;
}
