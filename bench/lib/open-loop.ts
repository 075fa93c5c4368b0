/**
 * An open-loop load: requests sent at a fixed arrival rate whatever the server does, each latency
 * counted from the moment the request was DUE, not from when it went out. A closed loop
 * (autocannon's connections) sends the next request only after an answer, so a stall delays the
 * requests that would have measured it ("coordinated omission") and its latency is mostly the
 * queue the loop itself builds. Here a slow server shows as latency, a starved load generator as
 * `behindSchedule`. Requests go over an undici pool; when every connection is busy they wait in
 * the pool, which counts, since the clock started at their due time.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { describeLatencies, loadFromSamples, summarizeLatencies, type LatencySummary } from './latency';
import type { LoadResult } from './load';
import type { RequestSample } from './tail';

export interface OpenLoopOptions {
  url: string;
  /** The path of every request, or of request n (from 0): call-next's arrivals go round the counters. */
  path: string | ((n: number) => string);
  headers?: Record<string, string> | ((n: number) => Record<string, string>);
  /** Sent as JSON with every request, with a fresh Idempotency-Key; `null`: neither (a POST that takes no body, like call-next). */
  body?: unknown;
  /** Requests per second. */
  rate: number;
  durationSec: number;
  /** Connections to the server at most (default 256): more requests in flight wait in the pool. */
  connections?: number;
  /** A request still unanswered this long after it was due counts as an error. Default 10 s. */
  timeoutSec?: number;
  onResponse?: (status: number, body: string) => void;
  /** Every request's due time (ms since the epoch), latency from it and status (0: failed) is pushed here (bench/lib/tail.ts). */
  samples?: RequestSample[];
}

export interface OpenLoopResult {
  load: LoadResult;
  /** Requests due in the window (rate × duration). */
  scheduled: number;
  /** How late the generator itself sent requests (a busy box starves it): ms after their due time. */
  behindSchedule: LatencySummary;
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const pool = new Pool(options.url, { connections: options.connections ?? 256, pipelining: 1 });
  const body = options.body === null ? undefined : JSON.stringify(options.body ?? {});
  const pathOf = typeof options.path === 'function' ? options.path : () => options.path as string;
  const headersOf = typeof options.headers === 'function' ? options.headers : () => options.headers as Record<string, string> | undefined;
  const timeoutMs = (options.timeoutSec ?? 10) * 1000;
  const intervalMs = 1000 / options.rate;
  const total = Math.max(1, Math.round(options.rate * options.durationSec));
  const latencies: number[] = [];
  const lateness: number[] = [];
  const statusCodes: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  let errors = 0;
  const inFlight = new Set<Promise<void>>();
  // performance.now() → ms since the epoch, for samples lined up with other processes' clocks.
  const epoch = (at: number): number => performance.timeOrigin + at;

  const send = (n: number, dueAt: number): void => {
    lateness.push(performance.now() - dueAt);
    const headers = body === undefined ? headersOf(n) : { 'content-type': 'application/json', ...headersOf(n), 'idempotency-key': randomUUID() };
    const done = pool
      .request({
        method: 'POST',
        path: pathOf(n),
        headers,
        body,
        signal: AbortSignal.timeout(Math.max(1, Math.ceil(dueAt + timeoutMs - performance.now()))),
      })
      .then(async (response) => {
        const text = await response.body.text();
        latencies.push(performance.now() - dueAt);
        options.samples?.push({ at: epoch(dueAt), ms: performance.now() - dueAt, status: response.statusCode });
        statusCodes[response.statusCode] = (statusCodes[response.statusCode] ?? 0) + 1;
        if (response.statusCode >= 200 && response.statusCode < 300) ok++;
        else failed++;
        options.onResponse?.(response.statusCode, text);
      })
      .catch(() => {
        // A request that failed or timed out still waited: its latency counts up to the failure.
        latencies.push(performance.now() - dueAt);
        options.samples?.push({ at: epoch(dueAt), ms: performance.now() - dueAt, status: 0 });
        errors++;
        statusCodes.error = (statusCodes.error ?? 0) + 1;
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  };

  const started = performance.now();
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      // Everything due by now goes out now: a late timer sends the backlog at once, as arrivals would.
      for (; next < total && started + next * intervalMs <= now; next++) send(next, started + next * intervalMs);
      if (next >= total) return resolve();
      setTimeout(tick, Math.max(0, started + next * intervalMs - performance.now()));
    };
    tick();
  });
  const sentSec = (performance.now() - started) / 1000;
  await Promise.all([...inFlight]);
  await pool.close();
  return {
    load: {
      ...loadFromSamples({ samples: latencies, elapsedSec: Math.max(sentSec, options.durationSec), concurrency: options.connections ?? 256, ok, failed, errors, statusCodes }),
      requests: ok + failed,
    },
    scheduled: total,
    behindSchedule: summarizeLatencies(lateness),
  };
}

/** An open loop run at a share of a measured capacity. */
export interface OpenLoopRun {
  share: number;
  rate: number;
  result: OpenLoopResult;
}

/** Each run's p99 and arrival rate, keyed by its share: `p99At50`, `rateAt50`, … */
export function openLoopMetrics(runs: OpenLoopRun[]): Record<string, number> {
  return Object.fromEntries(runs.flatMap((run) => [[`p99At${run.share * 100}`, run.result.load.p99], [`rateAt${run.share * 100}`, run.rate]]));
}

/**
 * A run's two figures: the rate it was answered at with its latency from due time (`due` labels
 * what was due), and how far the load generator fell behind. `prefix` heads the second label.
 */
export function openLoopFigures(run: OpenLoopRun, unit: string, due: string, prefix = ''): Array<{ label: string; value: string }> {
  const { load } = run.result;
  return [
    { label: `${due}, answered at`, value: `${load.rps} ${unit}; latency from due time p50 ${load.p50} / p97.5 ${load.p97_5} / p99 ${load.p99} ms (max ${load.max})` },
    { label: `${prefix}${run.share * 100} %: load generator behind schedule (the box starving it)`, value: describeLatencies(run.result.behindSchedule) },
  ];
}
