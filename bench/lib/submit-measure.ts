/**
 * One closed-loop measurement of POST /v1/transactions against a process that records
 * transactions (the gateway's api, the lean server): warm-up, wait until it is idle, autocannon
 * for the run's duration with CPU, statements and RSS watched, then a few requests recorded one at
 * a time. Every 200 must be a `completed` row in the database afterwards.
 */
import { AnsweredTransactions } from './answered';
import { watchCpu, type CpuReport } from './cpu';
import type { LoadResult } from './load';
import { watchStatements, type Probe } from './probe/client';
import { recordRequests, requestCost, untilQuiet } from './recorded-requests';
import { sampleRss, type RssReport } from './rss';
import type { BenchContext, Check, Figure, LoadRequest, RequestCost } from './scenario';
import { watchTail, type RequestSample, type TailReport } from './tail';

export interface SubmitMeasurement {
  load: LoadResult;
  cpu: CpuReport;
  requestCost: RequestCost;
  memory: RssReport;
  /** Every 200 a completed transaction; no attempt held back by the gateway's own guards. */
  checks: Check[];
  /** Rows created in the window by state. */
  created: Figure;
  /** Where the latency tail came from (bench/lib/tail.ts), when asked for. */
  tail?: TailReport;
}

export async function measureSubmits(
  ctx: BenchContext,
  options: {
    request: LoadRequest;
    /** The process answering the requests: its probe is recorded, its RSS sampled. */
    server: { pid: number; probe: Probe };
    /** Processes shown in the CPU and statement figures (the server among them as `api`). */
    processes: Record<string, number>;
    probes: Record<string, Probe>;
    databaseUrl: string;
    connections?: number;
    /** Line the slowest requests up with the server's loop stalls, GC, pool waits and PostgreSQL's waits (bench/lib/tail.ts); the name of its raw-samples file. */
    tail?: string;
  },
): Promise<SubmitMeasurement> {
  const request = { ...options.request, ...(options.connections ? { connections: options.connections } : {}) };
  const rss = sampleRss(options.server.pid);
  await ctx.warmUp(request);
  // Requests queued in the server during the warm-up must not be counted in the window.
  await untilQuiet(options.server.probe);

  const since = new Date();
  const answered = new AnsweredTransactions();
  const statements = await watchStatements(options.probes);
  const cpu = watchCpu(options.processes);
  const samples: RequestSample[] = [];
  const tailWatch = options.tail ? await watchTail({ label: options.tail, api: options.server.probe, databaseUrl: options.databaseUrl, adminDatabaseUrl: ctx.settings.adminDatabaseUrl, processes: options.processes }) : undefined;
  let load: LoadResult;
  let cpuReport: CpuReport;
  let tail: TailReport | undefined;
  try {
    load = await ctx.load({ ...request, onResponse: answered.record, ...(tailWatch ? { samples } : {}) });
    cpuReport = cpu.stop(load.requests);
    tail = await tailWatch?.stop(samples);
  } finally {
    // A failed load must not leave the sampler querying PostgreSQL.
    await tailWatch?.cancel();
  }
  const window = await statements.stop(load.requests);
  const memory = rss.stop();
  const recorded = await recordRequests({ probe: options.server.probe, request, databaseUrl: options.databaseUrl, count: 3, expectStatus: 200 });
  return {
    load,
    cpu: cpuReport,
    requestCost: requestCost(recorded, window),
    memory,
    checks: [await answered.everyOkCompleted(options.databaseUrl), await AnsweredTransactions.shedByOwnGuards(options.databaseUrl, since)],
    created: await AnsweredTransactions.createdSince(options.databaseUrl, since),
    ...(tail ? { tail } : {}),
  };
}

/**
 * Little's law for a closed loop: N connections always busy at X requests/s spend N ÷ X seconds
 * per request on average, whatever the server's own service time: at 50 connections most of the
 * latency is waiting in queues. The open-loop figures (gateway-open) show the latency at a rate.
 */
export function littlesLaw(load: LoadResult): string {
  const expected = load.rps > 0 ? (load.connections / load.rps) * 1000 : NaN;
  return (
    `closed loop: ${load.connections} connections ÷ ${load.rps} req/s = ${expected.toFixed(1)} ms mean latency by Little's law (measured ${load.mean} ms); ` +
    `with this many connections the p99 is mostly queueing, not service time — see gateway-open for latency at a fixed arrival rate`
  );
}
