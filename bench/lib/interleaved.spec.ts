import { interleavedMetrics, pairOrder, pairWindows, spread, summarizeInterleaved, type InterleavedWindow } from './interleaved';
import type { ScenarioResult } from './scenario';
import { targetRows } from './targets';

const window = (target: InterleavedWindow['target'], rps: number, apiCpuMs?: number, neighbourShare = 0): InterleavedWindow => ({
  target,
  rps,
  apiCpuMs,
  postgresCpuMs: undefined,
  neighbourShare,
});
const result = (name: string, rps: number, metrics: Record<string, number> = {}, neighbourShare = 0): ScenarioResult =>
  ({ name, target: name, load: { rps }, figures: [], checks: [], notes: [], metrics, cpu: { neighbourShare, msPerRequest: {} } }) as unknown as ScenarioResult;

describe('interleaved gateway ÷ lean windows', () => {
  it('alternates which target goes first, pair after pair (ABBA), so that a steady drift of the host cancels', () => {
    expect([0, 1, 2, 3].flatMap((pair) => pairOrder(pair))).toEqual(['gateway', 'lean', 'lean', 'gateway', 'gateway', 'lean', 'lean', 'gateway']);
  });

  it('pairs two adjacent windows of the two targets, in either order', () => {
    const pairs = pairWindows([window('gateway', 900, 0.9), window('lean', 1000, 0.6), window('lean', 1000, 0.8), window('gateway', 800, 0.8)]);
    expect(pairs.map((p) => [p.first, p.gateway.rps, p.lean.rps, p.rpsRatio, p.cpuRatio])).toEqual([
      ['gateway', 900, 1000, 0.9, 0.9 / 0.6],
      ['lean', 800, 1000, 0.8, 1],
    ]);
  });

  it('leaves out a window without its partner', () => {
    expect(pairWindows([window('lean', 1000), window('lean', 1000)])).toEqual([]);
    expect(pairWindows([window('gateway', 900), window('lean', 1000), window('gateway', 700)]).map((p) => p.rpsRatio)).toEqual([0.9]);
  });

  it('has no CPU ratio for a pair whose CPU was not counted or whose lean window answered nothing', () => {
    const pairs = pairWindows([window('gateway', 900), window('lean', 1000, 0.6), window('gateway', 900, 0.9), window('lean', 0, 0)]);
    expect(pairs.map((p) => [p.rpsRatio, p.cpuRatio])).toEqual([
      [0.9, undefined],
      [undefined, undefined],
    ]);
  });

  it('takes the median (the middle two averaged for an even count), min and max of what is there', () => {
    expect(spread([1.04, 0.8, undefined, 0.9])).toEqual({ median: 0.9, min: 0.8, max: 1.04, n: 3 });
    expect(spread([0.8, 1.0, 0.9, 0.85])).toEqual({ median: 0.875, min: 0.8, max: 1.0, n: 4 });
    expect(spread([undefined])).toBeUndefined();
  });

  it("puts the pairs' median in the targets row, their range and the sequential windows' ratio beside it", () => {
    const summary = summarizeInterleaved([
      window('gateway', 950, 0.84),
      window('lean', 1000, 0.7),
      window('gateway', 880, 0.84),
      window('lean', 1000, 0.7),
      window('gateway', 1000, 0.84),
      window('lean', 1000, 0.7),
    ]);
    const [row] = targetRows([result('gateway', 800), result('lean', 1000, interleavedMetrics(summary))], 0.1);
    expect(row.figure).toBe('gateway ÷ lean floor, submits/s');
    expect(row.value).toBe('0.95');
    expect(row.status).toBe('met');
    expect(row.baseline).toContain('median of 3 interleaved pairs, range 0.88–1.00; api CPU ÷ lean 1.20');
    expect(row.baseline).toContain('sequential windows 0.80');
  });

  it('falls back to the sequential windows, said so, when lean measured no pairs', () => {
    const [row] = targetRows([result('gateway', 800), result('lean', 1000)], 0.1);
    expect(row.value).toBe('0.80');
    expect(row.status).toBe('not met');
    expect(row.baseline).toContain('no interleaved pairs');
  });

  it("flags the row busy from the interleaved windows' neighbours, not from the sequential windows'", () => {
    const busyPairs = interleavedMetrics(summarizeInterleaved([window('gateway', 900, 0.9, 0.05), window('lean', 1000, 0.7, 0.2)]));
    const quietPairs = interleavedMetrics(summarizeInterleaved([window('gateway', 900, 0.9, 0.05), window('lean', 1000, 0.7, 0.05)]));
    const [busy] = targetRows([result('gateway', 800), result('lean', 1000, busyPairs)], 0.1);
    const [quiet] = targetRows([result('gateway', 800, {}, 0.24), result('lean', 1000, quietPairs)], 0.1);
    expect([busy.caveat, quiet.caveat]).toEqual(['busy box (lean interleaved windows 20 %)', undefined]);
  });
});
