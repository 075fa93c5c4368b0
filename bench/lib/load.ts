/**
 * The autocannon wrapper every scenario uses: one target, a fixed number of connections for a
 * fixed time, a fresh Idempotency-Key on every request, and a flat summary back.
 */
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import type { RequestSample } from './tail';

export interface LoadOptions {
  /** Base URL, e.g. http://127.0.0.1:4101 */
  url: string;
  method?: 'GET' | 'POST' | 'PUT';
  path: string;
  headers?: Record<string, string>;
  /** Serialized as JSON once; every request sends the same body. */
  body?: unknown;
  /**
   * A different body for each request (overrides `body`), e.g. a booking for another citizen or
   * slot. Called in the load generator before every send, with a sequence number from 1.
   */
  makeBody?: (sequence: number) => unknown;
  connections: number;
  durationSec: number;
  /** Set a new `Idempotency-Key` on each request (default true for POST). */
  uniqueIdempotencyKey?: boolean;
  /** Called with every response (status, body text); keep it cheap: it runs in the load generator. */
  onResponse?: (status: number, body: string) => void;
  /** Per-request timeout, seconds (autocannon counts it as an error). Default 10. */
  timeoutSec?: number;
  /** Stop after this many requests instead of after `durationSec` (autocannon's `amount`). */
  amount?: number;
  /** Every response's send time, latency and status is pushed here (bench/lib/tail.ts lines them up). */
  samples?: RequestSample[];
}

export interface LoadResult {
  /** Mean requests per second (autocannon's per-second samples). */
  rps: number;
  /** Latency percentiles and mean, milliseconds. */
  p50: number;
  p97_5: number;
  p99: number;
  mean: number;
  max: number;
  /** Responses received. */
  requests: number;
  non2xx: number;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  durationSec: number;
  connections: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const method = options.method ?? 'POST';
  const uniqueKey = options.uniqueIdempotencyKey ?? method === 'POST';
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined || options.makeBody) headers['content-type'] = 'application/json';
  const onResponse = options.onResponse;
  const makeBody = options.makeBody;
  let sequence = 0;

  const opts: autocannon.Options = {
    url: options.url,
    connections: options.connections,
    duration: options.durationSec,
    ...(options.amount ? { amount: options.amount } : {}),
    timeout: options.timeoutSec ?? 10,
    requests: [
      {
        method,
        path: options.path,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        // Rebuilds the request before each send: a repeated key would be answered from the
        // idempotency store instead of doing the work we mean to measure.
        ...(uniqueKey || makeBody
          ? {
              setupRequest: (request) => ({
                ...request,
                ...(makeBody ? { body: JSON.stringify(makeBody(++sequence)) } : {}),
                headers: { ...request.headers, ...(uniqueKey ? { 'idempotency-key': randomUUID() } : {}) },
              }),
            }
          : {}),
        ...(onResponse ? { onResponse: (status: number, body: string) => onResponse(status, body) } : {}),
      },
    ],
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(opts, (error: unknown, done: autocannon.Result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(done)));
    const samples = options.samples;
    if (samples) instance.on('response', (_client, status, _bytes, ms) => samples.push({ at: Date.now() - ms, ms, status }));
  });

  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
  return {
    rps: round(result.requests.average, 1),
    p50: result.latency.p50,
    p97_5: result.latency.p97_5,
    p99: result.latency.p99,
    mean: round(result.latency.average, 2),
    max: result.latency.max,
    requests: Object.values(statusCodes).reduce((sum, n) => sum + n, 0),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    durationSec: round(result.duration, 2),
    connections: options.connections,
  };
}

/** Several loads at once (e.g. one per api process); rps and counts add up, latencies are the worst. */
export function combineLoads(results: readonly LoadResult[]): LoadResult {
  const sum = (pick: (r: LoadResult) => number): number => results.reduce((acc, r) => acc + pick(r), 0);
  const worst = (pick: (r: LoadResult) => number): number => Math.max(...results.map(pick));
  const statusCodes: Record<string, number> = {};
  for (const r of results) for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  const requests = sum((r) => r.requests);
  return {
    rps: round(sum((r) => r.rps), 1),
    p50: worst((r) => r.p50),
    p97_5: worst((r) => r.p97_5),
    p99: worst((r) => r.p99),
    mean: requests === 0 ? 0 : round(sum((r) => r.mean * r.requests) / requests, 2),
    max: worst((r) => r.max),
    requests,
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    statusCodes,
    durationSec: worst((r) => r.durationSec),
    connections: sum((r) => r.connections),
  };
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
