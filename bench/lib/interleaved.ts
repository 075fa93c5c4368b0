/**
 * gateway ÷ lean from interleaved windows: short closed-loop windows at the run's connections, in
 * pairs whose order alternates (gateway then lean, lean then gateway, …: ABBA), each pair's two
 * windows compared. Alternating cancels a steady drift: in the first runs, with the gateway always
 * first, the second window of every pair cost PostgreSQL more per submit (1.44 / 1.57, 1.44 / 1.75,
 * 1.76 / 1.88, 1.62 / 1.67 ms at 14:13 on 2026-12-07), which flattered the gateway.
 * The host this runs on changes pace within a run: the `gateway` and `lean` scenarios' own windows,
 * a minute or two apart, gave 0.80 and 1.04 on the same code in two runs five minutes apart
 * (2026-12-07, the lean server's CPU per submit 0.60 vs 0.80 ms with the gateway's unchanged). Two
 * windows a few seconds apart see about the same pace, so each pair's ratio is the gateway against
 * the floor on the same box; the median of the pairs is the figure, their range says how steady the
 * box was.
 */
import { AnsweredTransactions } from './answered';
import { POSTGRES, watchCpu } from './cpu';
import type { Probe } from './probe/client';
import { untilQuiet } from './recorded-requests';
import type { BenchContext, Check, Figure, LoadRequest } from './scenario';

/** Pairs and seconds per window: a full run, and --quick (the CI smoke run). */
export const INTERLEAVED = { pairs: 4, windowSec: 4 } as const;
export const INTERLEAVED_QUICK = { pairs: 2, windowSec: 2 } as const;

export type InterleavedTarget = 'gateway' | 'lean';

/** One window's figures, in the order measured. */
export interface InterleavedWindow {
  target: InterleavedTarget;
  rps: number;
  /** CPU ms per request of the process answering (the gateway's api, the lean server). */
  apiCpuMs: number | undefined;
  /** PostgreSQL's CPU ms per request in the window. */
  postgresCpuMs: number | undefined;
  /** `everything else` ÷ the box in the window (bench/lib/cpu.ts). */
  neighbourShare: number;
}

export interface InterleavedPair {
  /** Which of the two was measured first. */
  first: InterleavedTarget;
  gateway: InterleavedWindow;
  lean: InterleavedWindow;
  /** gateway submits/s ÷ lean submits/s. */
  rpsRatio: number | undefined;
  /** gateway api CPU per submit ÷ lean server CPU per submit. */
  cpuRatio: number | undefined;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export interface InterleavedSummary {
  pairs: InterleavedPair[];
  rpsRatio: Spread | undefined;
  cpuRatio: Spread | undefined;
}

/** Which target goes first in pair `pair` (from 0): the gateway in even pairs, lean in odd ones. */
export function pairOrder(pair: number): readonly [InterleavedTarget, InterleavedTarget] {
  return pair % 2 === 0 ? ['gateway', 'lean'] : ['lean', 'gateway'];
}

/** Two adjacent windows, one of each target, in either order, make a pair; anything unpaired is left out. */
export function pairWindows(windows: readonly InterleavedWindow[]): InterleavedPair[] {
  const pairs: InterleavedPair[] = [];
  for (let i = 0; i + 1 < windows.length; i++) {
    const [first, second] = [windows[i], windows[i + 1]];
    if (first.target === second.target) continue;
    const [gateway, lean] = first.target === 'gateway' ? [first, second] : [second, first];
    pairs.push({ first: first.target, gateway, lean, rpsRatio: ratio(gateway.rps, lean.rps), cpuRatio: ratio(gateway.apiCpuMs, lean.apiCpuMs) });
    i++;
  }
  return pairs;
}

/** Median (the mean of the middle two for an even count), min and max; undefined for none. */
export function spread(values: readonly (number | undefined)[]): Spread | undefined {
  const sorted = values.filter((v): v is number => v !== undefined && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

export function summarizeInterleaved(windows: readonly InterleavedWindow[]): InterleavedSummary {
  const pairs = pairWindows(windows);
  return { pairs, rpsRatio: spread(pairs.map((p) => p.rpsRatio)), cpuRatio: spread(pairs.map((p) => p.cpuRatio)) };
}

/**
 * The summary as numbers for the targets table (lean's `metrics`): interleavedRatio (the median),
 * interleavedRatioMin/Max, interleavedPairs, interleavedCpuRatio(Min/Max), and interleavedNeighbourMax,
 * the most of the box neighbours took in any paired window (the row's busy-box caveat).
 */
export function interleavedMetrics(summary: InterleavedSummary): Record<string, number> {
  const { rpsRatio, cpuRatio, pairs } = summary;
  const shares = pairs.flatMap((p) => [p.gateway.neighbourShare, p.lean.neighbourShare]);
  return {
    ...(shares.length > 0 ? { interleavedNeighbourMax: Math.max(...shares) } : {}),
    ...(rpsRatio ? { interleavedRatio: rpsRatio.median, interleavedRatioMin: rpsRatio.min, interleavedRatioMax: rpsRatio.max, interleavedPairs: rpsRatio.n } : {}),
    ...(cpuRatio ? { interleavedCpuRatio: cpuRatio.median, interleavedCpuRatioMin: cpuRatio.min, interleavedCpuRatioMax: cpuRatio.max } : {}),
  };
}

export function interleavedFigures(summary: InterleavedSummary, windowSec: number, elapsedSec: number): Figure[] {
  const ms = (v: number | undefined): string => (v === undefined ? '—' : v.toFixed(2));
  const describe = (s: Spread | undefined): string => (s === undefined ? '—' : `${s.median.toFixed(2)} (range ${s.min.toFixed(2)}–${s.max.toFixed(2)}, ${s.n} pairs)`);
  return [
    ...summary.pairs.map((pair, i) => ({
      label: `interleaved pair ${i + 1} (${windowSec} s each, ${pair.first === 'gateway' ? 'gateway then lean' : 'lean then gateway'})`,
      value:
        `gateway ${pair.gateway.rps.toFixed(0)}/s ÷ lean ${pair.lean.rps.toFixed(0)}/s = ${ms(pair.rpsRatio)}; ` +
        `CPU per submit api ${ms(pair.gateway.apiCpuMs)} ÷ lean ${ms(pair.lean.apiCpuMs)} ms = ${ms(pair.cpuRatio)}; ` +
        `PostgreSQL ${ms(pair.gateway.postgresCpuMs)} / ${ms(pair.lean.postgresCpuMs)} ms; ` +
        `neighbours ${(pair.gateway.neighbourShare * 100).toFixed(0)} / ${(pair.lean.neighbourShare * 100).toFixed(0)} %`,
    })),
    { label: 'gateway req/s ÷ lean req/s, interleaved pairs: median (the targets row)', value: describe(summary.rpsRatio) },
    { label: 'gateway api CPU per submit ÷ lean server CPU per submit, interleaved pairs: median', value: describe(summary.cpuRatio) },
    { label: 'interleaved windows, waits for quiet between them included', value: `${elapsedSec.toFixed(1)} s` },
  ];
}

export interface InterleavedSide {
  request: LoadRequest;
  pid: number;
  probe: Probe;
}

/**
 * Alternates windows on the two processes, both already warm: `pairs` pairs in pairOrder's order (gateway
 * first, then lean first, …), each window `windowSec` long, after the other process has gone quiet. Every 200 of every window must be
 * a completed transaction; the gateway must not have held an attempt back.
 */
export async function measureInterleaved(
  ctx: BenchContext,
  options: {
    gateway: InterleavedSide;
    lean: InterleavedSide;
    /** The stack's other processes (the agency simulator, the gateway's worker): counted as themselves, not as neighbours. */
    others: Record<string, number>;
    databaseUrl: string;
    pairs: number;
    windowSec: number;
  },
): Promise<{ summary: InterleavedSummary; windows: InterleavedWindow[]; checks: Check[]; elapsedSec: number }> {
  const since = new Date();
  const started = performance.now();
  const answered = new AnsweredTransactions();
  const windows: InterleavedWindow[] = [];
  const failed: string[] = [];
  for (let pair = 0; pair < options.pairs; pair++) {
    for (const target of pairOrder(pair)) {
      const side = options[target];
      // What the previous window left queued in either process must not run in this one.
      await untilQuiet(options.gateway.probe, { quietMs: 300 });
      await untilQuiet(options.lean.probe, { quietMs: 300 });
      const cpu = watchCpu({ ...options.others, api: side.pid });
      const load = await ctx.load({ ...side.request, durationSec: options.windowSec, onResponse: answered.record }, `${ctx.currentScenario}:interleaved-${target}`);
      const report = cpu.stop(load.requests);
      if (load.non2xx > 0 || load.errors > 0) failed.push(`${target} window ${pair + 1}: ${JSON.stringify(load.statusCodes)}, ${load.errors} errors`);
      windows.push({ target, rps: load.rps, apiCpuMs: report.msPerRequest.api, postgresCpuMs: report.msPerRequest[POSTGRES], neighbourShare: report.neighbourShare });
    }
  }
  const elapsedSec = (performance.now() - started) / 1000;
  return {
    summary: summarizeInterleaved(windows),
    windows,
    elapsedSec,
    checks: [
      { label: 'interleaved windows: every answer 200', ok: failed.length === 0, detail: failed.length === 0 ? `${windows.length} windows` : failed.join('; ') },
      { ...(await answered.everyOkCompleted(options.databaseUrl)), label: 'interleaved windows: every 200 response is a completed transaction in the database' },
      { ...(await AnsweredTransactions.shedByOwnGuards(options.databaseUrl, since)), label: "interleaved windows: no attempt held back by the gateway's own rate limit or bulkhead" },
    ],
  };
}

/** a ÷ b, undefined when either is missing or b is 0. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}
