/**
 * A tail file (bench/results/tail/<scenario>-<time>.json, written by bench/lib/tail.ts) as a
 * timeline: per slice of the window, the requests sent and the slowest of them, beside the api's
 * loop stalls and GC pauses, its slowest SQL statement and Redis command sent in the slice, the runnable tasks on the box, each process's CPU and PostgreSQL's
 * backends, so a burst of slow requests can be matched with what happened at that moment.
 *
 *   node scripts/run-ts.cjs bench/tools/tail-timeline.ts bench/results/tail/gateway-c10-<time>.json [--slice 250]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ProcessTail } from '../lib/probe/client';
import type { RequestSample } from '../lib/tail';

interface TailFile {
  p99: number;
  samples: RequestSample[];
  api: ProcessTail;
  activity: Array<{ at: number; backends: Record<string, number>; runnable: number; cpu: Record<string, number> }>;
}

function main(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { slice: { type: 'string', default: '250' } } });
  if (positionals.length !== 1) throw new Error('usage: tail-timeline.ts <bench/results/tail/….json> [--slice ms]');
  const file = JSON.parse(readFileSync(positionals[0], 'utf8')) as TailFile;
  const slice = Number(values.slice);
  const start = Math.min(...file.samples.map((s) => s.at));
  const end = Math.max(...file.samples.map((s) => s.at + s.ms));
  const index = (at: number): number => Math.floor((at - start) / slice);
  const slices = Array.from({ length: index(end) + 1 }, () => ({ sent: 0, slowest: 0, overP99: 0, stallMs: 0, gcMs: 0, sqlMs: 0, redisMs: 0, activity: [] as TailFile['activity'] }));
  const at = (i: number): (typeof slices)[number] | undefined => slices[i];
  for (const s of file.samples) {
    const row = at(index(s.at));
    if (!row) continue;
    row.sent++;
    row.slowest = Math.max(row.slowest, s.ms);
    if (s.ms >= file.p99) row.overP99++;
  }
  for (const [when, ms] of file.api.stalls) if (at(index(when))) at(index(when))!.stallMs += ms;
  for (const [when, ms] of file.api.gc) if (at(index(when))) at(index(when))!.gcMs += ms;
  for (const [when, ms] of file.api.queries ?? []) if (at(index(when))) at(index(when))!.sqlMs = Math.max(at(index(when))!.sqlMs, ms);
  for (const [when, ms] of file.api.redis) if (at(index(when))) at(index(when))!.redisMs = Math.max(at(index(when))!.redisMs, ms);
  for (const a of file.activity) at(index(a.at))?.activity.push(a);

  const names = Object.keys(file.activity[0]?.cpu ?? {});
  console.log(`p99 ${Math.round(file.p99 * 10) / 10} ms; slices of ${slice} ms from ${new Date(start).toISOString()}`);
  console.log(['t s', 'sent', 'slowest ms', '≥p99', 'api stall ms', 'api GC ms', 'slowest SQL ms', 'slowest Redis ms', 'runnable', ...names.map((n) => `${n} CPU`), 'PostgreSQL backends (mean)'].join('\t'));
  slices.forEach((row, i) => {
    const mean = (values: number[]): number => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
    const backends: Record<string, number> = {};
    for (const a of row.activity) for (const [what, n] of Object.entries(a.backends)) backends[what] = (backends[what] ?? 0) + n / row.activity.length;
    const pg = Object.entries(backends)
      .filter(([, n]) => n >= 0.5)
      .sort((a, b) => b[1] - a[1])
      .map(([what, n]) => `${what} ${n.toFixed(1)}`)
      .join(', ');
    console.log(
      [
        ((i * slice) / 1000).toFixed(2),
        row.sent,
        Math.round(row.slowest),
        row.overP99 || '',
        Math.round(row.stallMs),
        Math.round(row.gcMs) || '',
        Math.round(row.sqlMs),
        Math.round(row.redisMs),
        mean(row.activity.map((a) => a.runnable)).toFixed(1),
        ...names.map((n) => `${Math.round(100 * mean(row.activity.map((a) => a.cpu[n]).filter(Number.isFinite)))} %`),
        pg,
      ].join('\t'),
    );
  });
}

main();
