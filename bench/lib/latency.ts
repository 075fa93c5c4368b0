/**
 * Latency samples taken by hand (a call-next, an SSE event, a SQL query), summarized in the shape
 * of an autocannon run so the summary table shows them like every other scenario.
 */
import type { LoadResult } from './load';

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

export function summarizeLatencies(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => round(quantileOfSorted(sorted, q));
  return {
    count: sorted.length,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    mean: round(sorted.reduce((sum, ms) => sum + ms, 0) / Math.max(1, sorted.length)),
    max: round(sorted.at(-1) ?? 0),
  };
}

/** One line for a figure: `p50 1.2 / p90 3.4 / p99 5.6 ms (n = 500, max 7.8)`. */
export function describeLatencies(summary: LatencySummary): string {
  return `p50 ${summary.p50} / p90 ${summary.p90} / p99 ${summary.p99} ms (n = ${summary.count}, mean ${summary.mean}, max ${summary.max})`;
}

export interface SampledLoad {
  samples: readonly number[];
  /** Wall time the samples were taken in, seconds (for the rate). */
  elapsedSec: number;
  concurrency: number;
  /** Calls that did what they should; the rest count as non-2xx. */
  ok: number;
  failed?: number;
  errors?: number;
  statusCodes?: Record<string, number>;
}

export function loadFromSamples(sampled: SampledLoad): LoadResult {
  const summary = summarizeLatencies(sampled.samples);
  const failed = sampled.failed ?? 0;
  const errors = sampled.errors ?? 0;
  return {
    rps: Math.round((sampled.ok / Math.max(sampled.elapsedSec, 1e-9)) * 10) / 10,
    p50: summary.p50,
    p97_5: round(quantile(sampled.samples, 0.975)),
    p99: summary.p99,
    mean: summary.mean,
    max: summary.max,
    requests: sampled.samples.length,
    non2xx: failed,
    errors,
    timeouts: 0,
    statusCodes: sampled.statusCodes ?? { ok: sampled.ok, failed, errors },
    durationSec: Math.round(sampled.elapsedSec * 100) / 100,
    connections: sampled.concurrency,
  };
}

function quantile(samples: readonly number[], q: number): number {
  return quantileOfSorted([...samples].sort((a, b) => a - b), q);
}

/** The middle value (the mean of the two middle ones for an even count); NaN when there are none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The value at quantile `q` (0–1) of values sorted ascending: the one ⌊q·n⌋ from the bottom; 0 when there are none. */
export function quantileOfSorted(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
