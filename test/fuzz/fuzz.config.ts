/**
 * How hard and how long the fuzzer pushes. Defaults are sized for CI on a 2-core box (the
 * whole fuzz suite in well under 60 s); a developer runs longer with, for example,
 *   KIUNGO_FUZZ_RUNS=500 KIUNGO_FUZZ_SEED=1234 npx jest test/fuzz
 * KIUNGO_FUZZ_RUNS is the number of generated requests per route (and per other property).
 */
import type { Parameters } from 'fast-check';

/** A fixed seed so that CI runs are reproducible; a failure message prints the seed in use. */
export const DEFAULT_FUZZ_SEED = 20_261_122;
/** Generated requests per route in CI. */
export const DEFAULT_FUZZ_RUNS = 25;
/** Every response must arrive within this (ms), whatever was sent. Not a benchmark: a hang detector. */
export const ROUTE_TIME_BUDGET_MS = 2_000;
/** A response body is read up to this many bytes (an error body is small; anything past is suspect). */
export const MAX_RESPONSE_BYTES = 256 * 1024;

export const FUZZ_SEED = integerFromEnv('KIUNGO_FUZZ_SEED', DEFAULT_FUZZ_SEED);
export const FUZZ_RUNS = integerFromEnv('KIUNGO_FUZZ_RUNS', DEFAULT_FUZZ_RUNS);

/** One property (one route) stops generating or shrinking after this; the spec checks the runs happened. */
export const PROPERTY_TIME_LIMIT_MS = Math.max(15_000, FUZZ_RUNS * 200);
/** Jest's limit for a test that fuzzes every route in turn (a request takes ~15 ms; room for shrinking). */
export const ALL_ROUTES_TEST_TIMEOUT_MS = 60_000 + FUZZ_RUNS * 2_000;

/**
 * fast-check parameters for one property: the shared seed (offset per property so that
 * properties do not draw the same values) and `runs` scaled by KIUNGO_FUZZ_RUNS.
 */
export function fuzzParameters<T>(label: string, runsFactor = 1): Parameters<T> {
  return {
    seed: FUZZ_SEED + offsetOf(label),
    numRuns: Math.max(1, Math.round(FUZZ_RUNS * runsFactor)),
    // Each shrink step is an HTTP round trip: past this, the best counterexample so far is reported.
    interruptAfterTimeLimit: PROPERTY_TIME_LIMIT_MS,
    // The broken invariants and the request as sent, in the failure message itself.
    includeErrorInReport: true,
  };
}

/** Prefixed to every fuzz failure so that it can be replayed exactly. */
export function replayHint(label: string): string {
  return `[fuzz] property "${label}" seed=${FUZZ_SEED + offsetOf(label)} (KIUNGO_FUZZ_SEED=${FUZZ_SEED} KIUNGO_FUZZ_RUNS=${FUZZ_RUNS})`;
}

function offsetOf(label: string): number {
  let hash = 0;
  for (const char of label) hash = (hash * 31 + char.charCodeAt(0)) % 1_000_003;
  return hash;
}

function integerFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return value;
}
