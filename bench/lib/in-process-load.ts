/**
 * A closed-loop load inside the bench process, for what autocannon cannot drive: a library call
 * (an adapter's dispatch, a node-soap client). `concurrency` loops each await one call after the
 * other for `durationSec`; the result has the shape of an autocannon run so reports compare them.
 */
import type { LoadResult } from './load';

export interface InProcessLoadOptions {
  concurrency: number;
  durationSec: number;
  /** One call; resolves true when it did what it should (counted as 2xx), false otherwise. */
  call(sequence: number): Promise<boolean>;
}

export async function runInProcessLoad(options: InProcessLoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let sequence = 0;
  let failed = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.durationSec * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const callStarted = performance.now();
      try {
        if (!(await options.call(++sequence))) failed++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - callStarted);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  const elapsedSec = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  const ok = latencies.length - failed - errors;
  return {
    rps: Math.round(latencies.length / elapsedSec),
    p50: at(0.5),
    p97_5: at(0.975),
    p99: at(0.99),
    mean: round(latencies.reduce((sum, l) => sum + l, 0) / Math.max(1, latencies.length)),
    max: round(latencies.at(-1) ?? 0),
    requests: latencies.length,
    non2xx: failed,
    errors,
    timeouts: 0,
    statusCodes: { ok, failed, errors },
    durationSec: options.durationSec,
    connections: options.concurrency,
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
