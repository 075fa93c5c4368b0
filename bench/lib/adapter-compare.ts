/**
 * The method of the adapter-* scenarios: the same work done (a) bare, by the thinnest client of
 * the agency's interface, and (b) through ResilientAgency.dispatch → the adapter, in the bench
 * process, closed loop at the same concurrency, warm-up first. The difference of the latencies is
 * what the adapter (mapping, breaker, bulkhead, rate limit, deadline, classification) adds.
 * The two runs are sequential: on a busy box a difference of a few ms either way is noise (look
 * at the CPU figures of the scenarios around it, and at the load average).
 */
import type { AgencyDefinition } from '../../contracts/src/catalogue.types';
import { BENCH_RATE_LIMIT } from './catalogue';
import { watchCpu, type CpuReport } from './cpu';
import { runInProcessLoad } from './in-process-load';
import type { LoadResult } from './load';
import type { BenchContext, Figure } from './scenario';

/** An agency definition with its rate limit lifted and its bulkhead set to the bench's concurrency. */
export function unthrottled(agency: AgencyDefinition, concurrency: number): AgencyDefinition {
  return { ...agency, resilience: { ...agency.resilience, concurrency, rateLimit: { ...BENCH_RATE_LIMIT } } };
}

export interface AdapterComparison {
  bare: LoadResult;
  adapter: LoadResult;
  figures: Figure[];
  /** CPU of the run through the adapter (the bench process is client and adapter: its column is "load generator"). */
  cpu: CpuReport;
}

export async function compareBareWithAdapter(
  ctx: BenchContext,
  options: {
    scenario: string;
    concurrency: number;
    bareLabel: string;
    /** `round` is 0 in the warm-up, 1 in the measurement: with `n`, a unique id per call. */
    bare: (n: number, round: number) => Promise<boolean>;
    viaAdapter: (n: number, round: number) => Promise<boolean>;
    /** Between the two measurements (e.g. reset the simulator's counters). */
    between?: () => Promise<void>;
    /** Processes to show in the CPU figures, e.g. { simulator: pid }. */
    processes?: Record<string, number>;
  },
): Promise<AdapterComparison> {
  const { concurrency } = options;
  const measure = async (call: (n: number, round: number) => Promise<boolean>, label: string): Promise<{ load: LoadResult; cpu: CpuReport }> => {
    await runInProcessLoad({ concurrency, durationSec: ctx.settings.warmupSec, call: (n) => call(n, 0) });
    ctx.log(`${options.scenario}: measuring ${label}`);
    const cpu = watchCpu(options.processes ?? {});
    const load = await runInProcessLoad({ concurrency, durationSec: ctx.settings.shortDurationSec, call: (n) => call(n, 1) });
    return { load, cpu: cpu.stop(load.requests) };
  };
  const { load: bare } = await measure(options.bare, options.bareLabel);
  await options.between?.();
  const { load: adapter, cpu } = await measure(options.viaAdapter, 'ResilientAgency + adapter');
  const diff = (a: number, b: number): number => Math.round((a - b) * 100) / 100;
  return {
    bare,
    adapter,
    cpu,
    figures: [
      { label: `${options.bareLabel}: req/s, p50 / p99 ms`, value: `${bare.rps}, ${bare.p50} / ${bare.p99}` },
      { label: 'through ResilientAgency + adapter: req/s, p50 / p99 ms', value: `${adapter.rps}, ${adapter.p50} / ${adapter.p99}` },
      { label: 'adapter added latency p50 / p99 ms', value: `${diff(adapter.p50, bare.p50)} / ${diff(adapter.p99, bare.p99)}` },
    ],
  };
}
