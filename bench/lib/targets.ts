/**
 * The targets of issue 13, printed at the end of every run: each figure from this run, beside a
 * baseline from the same run and the target, marked met / not met (n/a when its scenario did not
 * run or failed). Targets are for a quiet box and a full run: a --quick run, or a scenario whose
 * window saw neighbours above --neighbour-limit, is flagged in the last column.
 */
import { LOAD_GENERATOR } from './cpu';
import { ratio } from './interleaved';
import type { ScenarioResult } from './scenario';

export interface TargetRow {
  figure: string;
  value: string;
  baseline: string;
  target: string;
  status: 'met' | 'not met' | 'n/a';
  /** Why the figure should not be read against the target as it is (busy box). */
  caveat?: string;
}

/**
 * What the window's tail figures (bench/lib/tail.ts) say beside a p99: the api's event-loop delay
 * p99, its GC pauses in all, and the runnable tasks on the 2 cores (above 2: CPU queueing).
 */
function tailCauses(result: ScenarioResult | undefined): string {
  const m = result?.metrics;
  if (m?.loopDelayP99 === undefined) return 'tail figures —';
  return `api loop delay p99 ${ms(m.loopDelayP99)}, GC ${ms(m.gcPauseMs)} in all (${m.gcShare} %), runnable tasks ${m.runnableMean}`;
}

interface Target {
  figure: string;
  /** The figure, or undefined when its scenario is missing. */
  value(r: Results): number | undefined;
  unit: string;
  digits: number;
  /** `at-most` n or `at-least` n. */
  bound: { kind: 'at-most' | 'at-least'; limit: number };
  baseline(r: Results): string;
  /** The scenarios the figure comes from, for the busy-box caveat (none for counts that load does not change). */
  from: string[];
  /** The windows the figure comes from and their neighbours' share of the box, when not `from`'s scenarios' own windows. */
  windows?(r: Results): Array<{ name: string; neighbourShare: number }> | undefined;
}

type Results = (name: string) => ScenarioResult | undefined;

const ms = (value: number | undefined): string => (value === undefined ? '—' : `${value.toFixed(2)} ms`);
const perSec = (value: number | undefined): string => (value === undefined ? '—' : `${value.toFixed(0)}/s`);
const cpu = (r: ScenarioResult | undefined, part: string): number | undefined => r?.cpu?.msPerRequest[part];

const TARGETS: Target[] = [
  {
    // The median of lean's interleaved pairs (bench/lib/interleaved.ts): the host's pace drifts between
    // the gateway's and lean's own windows, a minute or more apart; a pair's windows are seconds apart.
    figure: 'gateway ÷ lean floor, submits/s',
    value: (r) => r('lean')?.metrics.interleavedRatio ?? sequentialLeanRatio(r),
    unit: '',
    digits: 2,
    bound: { kind: 'at-least', limit: 0.9 },
    baseline: (r) => {
      const m = r('lean')?.metrics;
      const interleaved =
        m?.interleavedRatio === undefined
          ? "no interleaved pairs: the value is the sequential windows'"
          : `median of ${m.interleavedPairs} interleaved pairs, range ${fixed(m.interleavedRatioMin, 2)}–${fixed(m.interleavedRatioMax, 2)}; api CPU ÷ lean ${fixed(m.interleavedCpuRatio, 2)}`;
      return `${interleaved}; sequential windows ${fixed(sequentialLeanRatio(r), 2)}; lean ${perSec(r('lean')?.load.rps)}; gateway ÷ db-floor ${fixed(ratio(r('gateway')?.load.rps, r('db-floor')?.load.rps), 2)}`;
    },
    from: ['gateway', 'lean'],
    windows: (r) => {
      const share = r('lean')?.metrics.interleavedNeighbourMax;
      return share === undefined ? undefined : [{ name: 'lean interleaved windows', neighbourShare: share }];
    },
  },
  {
    figure: 'api CPU per submit',
    value: (r) => cpu(r('gateway'), 'api'),
    unit: ' ms',
    digits: 2,
    bound: { kind: 'at-most', limit: 0.7 },
    baseline: (r) => `lean server ${ms(cpu(r('lean'), 'api'))}`,
    from: ['gateway'],
  },
  {
    figure: 'PostgreSQL CPU per submit',
    value: (r) => cpu(r('gateway'), 'PostgreSQL'),
    unit: ' ms',
    digits: 2,
    bound: { kind: 'at-most', limit: 0.6 },
    baseline: (r) => `db-floor ${ms(cpu(r('db-floor'), 'PostgreSQL'))}, lean ${ms(cpu(r('lean'), 'PostgreSQL'))}`,
    from: ['gateway'],
  },
  {
    figure: 'submits/s, all co-located',
    value: (r) => r('gateway')?.load.rps,
    unit: '/s',
    digits: 0,
    bound: { kind: 'at-least', limit: 1200 },
    baseline: (r) => `lean ${perSec(r('lean')?.load.rps)}, db-floor ${perSec(r('db-floor')?.load.rps)}`,
    from: ['gateway'],
  },
  {
    figure: 'submit p99, 10 connections',
    value: (r) => r('gateway-c10')?.load.p99,
    unit: ' ms',
    digits: 1,
    bound: { kind: 'at-most', limit: 20 },
    baseline: (r) => `p50 ${ms(r('gateway-c10')?.load.p50)}; at 50 connections p99 ${ms(r('gateway')?.load.p99)} (queueing); ${tailCauses(r('gateway-c10'))}`,
    from: ['gateway-c10'],
  },
  {
    figure: 'submit p99, open loop at 70 %',
    value: (r) => r('gateway-open')?.metrics.p99At70,
    unit: ' ms',
    digits: 1,
    bound: { kind: 'at-most', limit: 20 },
    baseline: (r) => `at 50 %: ${ms(r('gateway-open')?.metrics.p99At50)}; ${tailCauses(r('gateway-open'))}`,
    from: ['gateway-open'],
  },
  {
    figure: 'breaker-open: statements per submit',
    value: (r) => r('breaker-open')?.requestCost?.statements,
    unit: '',
    digits: 0,
    bound: { kind: 'at-most', limit: 1 },
    baseline: (r) => `agency up (gateway): ${fixed(r('gateway')?.requestCost?.statements, 0)}`,
    from: [],
  },
  {
    figure: 'breaker-open: Redis calls per submit',
    value: (r) => r('breaker-open')?.requestCost?.redis,
    unit: '',
    digits: 0,
    bound: { kind: 'at-most', limit: 0 },
    baseline: (r) => `agency up (gateway): ${fixed(r('gateway')?.requestCost?.redis, 0)}`,
    from: [],
  },
  {
    figure: 'breaker-open: api CPU per submit',
    value: (r) => cpu(r('breaker-open'), 'api'),
    unit: ' ms',
    digits: 2,
    bound: { kind: 'at-most', limit: 0.4 },
    baseline: (r) => `agency up (gateway): ${ms(cpu(r('gateway'), 'api'))}`,
    from: ['breaker-open'],
  },
  {
    figure: 'bookings/s uncontended',
    value: (r) => r('bookings')?.metrics.bookingsPerSec,
    unit: '/s',
    digits: 0,
    bound: { kind: 'at-least', limit: 1000 },
    baseline: (r) => `submits ${perSec(r('gateway')?.load.rps)}; api CPU per booking ${ms(cpu(r('bookings'), 'api'))}`,
    from: ['bookings'],
  },
  {
    // The open loop at 70 %, not the closed loop: 20 counters in a closed loop wait 20 ÷ throughput on
    // average whatever a call costs (Little's law), so the closed loop's p99 is the box's throughput.
    figure: 'call-next p99, 20 counters, open loop at 70 %',
    value: (r) => r('call-next')?.metrics.p99At70,
    unit: ' ms',
    digits: 1,
    bound: { kind: 'at-most', limit: 20 },
    baseline: (r) =>
      `closed loop p99 ${ms(r('call-next')?.metrics.closedP99)}, rounds p99 ${ms(r('call-next')?.metrics.roundsP99)}; at 50 %: ${ms(r('call-next')?.metrics.p99At50)}; api CPU per call ${ms(cpu(r('call-next'), 'api'))}`,
    from: ['call-next'],
  },
  {
    figure: 'api RSS under load',
    value: (r) => r('gateway')?.metrics.peakRssMiB,
    unit: ' MiB',
    digits: 0,
    bound: { kind: 'at-most', limit: 200 },
    baseline: (r) => `lean server ${fixed(r('lean')?.metrics.peakRssMiB, 0)} MiB; api as deployed: ${r('gateway')?.figures.find((f) => f.label.startsWith('api started as deployed'))?.value ?? '—'}`,
    from: ['gateway'],
  },
];

export function targetRows(results: readonly ScenarioResult[], neighbourLimit: number): TargetRow[] {
  const byName = new Map(results.map((r) => [r.name, r]));
  const r: Results = (name) => byName.get(name);
  return TARGETS.map((target) => {
    const value = target.value(r);
    const bound = `${target.bound.kind === 'at-most' ? '≤' : '≥'} ${target.bound.limit}${target.unit}`;
    const met = value === undefined ? undefined : target.bound.kind === 'at-most' ? value <= target.bound.limit : value >= target.bound.limit;
    const windows = target.windows?.(r) ?? target.from.map((name) => ({ name, neighbourShare: byName.get(name)?.cpu?.neighbourShare ?? 0 }));
    const busy = windows.filter((w) => w.neighbourShare > neighbourLimit);
    return {
      figure: target.figure,
      value: value === undefined ? '—' : `${value.toFixed(target.digits)}${target.unit}`,
      baseline: target.baseline(r),
      target: bound,
      status: met === undefined ? 'n/a' : met ? 'met' : 'not met',
      ...(busy.length > 0 ? { caveat: `busy box (${busy.map((w) => `${w.name} ${(w.neighbourShare * 100).toFixed(0)} %`).join(', ')})` } : {}),
    };
  });
}

export function targetLines(rows: readonly TargetRow[], quick: boolean): string[] {
  const header = ['target (issue 13)', 'this run', 'target', 'status', 'baseline, same run'];
  const cells = rows.map((row) => [row.figure, row.value, row.target, `${row.status}${row.caveat ? ` — ${row.caveat}` : ''}`, row.baseline]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]): string => c.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  return [
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map(line),
    ...(quick ? ['(--quick: a smoke run of a few seconds per scenario; read the targets from a full run on a quiet box)'] : []),
    `(CPU per submit counts the named process only; the ${LOAD_GENERATOR}, the simulator and "everything else" are in the CPU table above)`,
  ];
}

/** gateway's own window ÷ lean's own window, measured a minute or more apart. */
function sequentialLeanRatio(r: Results): number | undefined {
  return ratio(r('gateway')?.load.rps, r('lean')?.load.rps);
}

function fixed(value: number | undefined, digits: number): string {
  return value === undefined ? '—' : value.toFixed(digits);
}
