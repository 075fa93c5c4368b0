/** The summary table on stdout and the JSON files in bench/results/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeCpu, EVERYTHING_ELSE, LOAD_GENERATOR, POSTGRES, REDIS } from './cpu';
import { environmentLines, type BenchEnvironment } from './environment';
import type { BenchSettings, RequestCost, ScenarioResult } from './scenario';
import { targetLines, type TargetRow } from './targets';

export interface ScenarioFailure {
  name: string;
  error: string;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  command: string;
  environment: BenchEnvironment;
  settings: Omit<BenchSettings, 'adminDatabaseUrl' | 'redisUrl' | 'storedRedisUrl'>;
  scenarios: ScenarioResult[];
  failures: ScenarioFailure[];
  /** Scenarios that could not run here (a missing binary), with the reason. */
  skipped?: ScenarioFailure[];
  /** Issue 13's targets against this run's figures. */
  targets?: TargetRow[];
}

export function formatReport(report: BenchReport): string {
  const lines = [`Kiungo bench — ${report.command}`, ...environmentLines(report.environment), ''];
  const { settings } = report;
  lines.push(
    `durations: ${settings.durationSec} s per scenario (${settings.shortDurationSec} s for breaker-open, adapter-* and audit-query), ` +
      `warm-up ${settings.firstWarmupSec} s before a target's first window, ${settings.warmupSec} s before the next, ${settings.connections} connections${settings.quick ? ' (--quick)' : ''}`,
    '',
  );
  const header = ['scenario', 'req/s', 'p50 ms', 'p97.5 ms', 'p99 ms', 'responses', 'non-2xx', 'errors', 'vs baseline (req/s, p50, p99)'];
  const rows = report.scenarios.map((r) => [
    r.name,
    r.load.rps.toFixed(1),
    String(r.load.p50),
    String(r.load.p97_5),
    String(r.load.p99),
    String(r.load.requests),
    String(r.load.non2xx),
    String(r.load.errors),
    r.baseline
      ? `${ratio(r.baseline.rpsRatio)} of ${r.baseline.scenario}, ${ratio(r.baseline.p50Ratio)}, ${ratio(r.baseline.p99Ratio)}`
      : '—',
  ]);
  for (const failure of report.failures) rows.push([failure.name, 'FAILED', '', '', '', '', '', '', '']);
  for (const skipped of report.skipped ?? []) rows.push([skipped.name, 'skipped', '', '', '', '', '', '', '']);
  lines.push(...table(header, rows), '');
  lines.push(...cpuTable(report), '');

  for (const r of report.scenarios) {
    lines.push(`[${r.name}] ${r.target}`);
    lines.push(`  status codes ${JSON.stringify(r.load.statusCodes)}; mean ${r.load.mean} ms, max ${r.load.max} ms; ${r.load.connections} connections, ${r.load.durationSec} s`);
    if (r.cpu) {
      lines.push(...describeCpu(r.cpu).map((line) => `  ${line}`));
      if (r.cpu.neighbourShare > settings.neighbourLimit) lines.push(`  WARNING ${neighbourWarning(r.cpu.neighbourShare, settings.neighbourLimit)}`);
    }
    if (r.requestCost) lines.push(...describeRequestCost(r.requestCost).map((line) => `  ${line}`));
    for (const figure of r.figures) lines.push(`  ${figure.label}: ${figure.value}`);
    for (const check of r.checks) lines.push(`  ${check.ok ? 'OK  ' : 'FAIL'} ${check.label} — ${check.detail}`);
    for (const note of r.notes) lines.push(`  note: ${note}`);
  }
  // A shared resource that failed to start fails every scenario that needs it: print its error once.
  const firstWith = new Map<string, string>();
  for (const failure of report.failures) {
    const first = firstWith.get(failure.error);
    lines.push(first ? `[${failure.name}] FAILED: the same error as [${first}]` : `[${failure.name}] FAILED: ${failure.error}`);
    if (!first) firstWith.set(failure.error, failure.name);
  }
  for (const skipped of report.skipped ?? []) lines.push(`[${skipped.name}] skipped: ${skipped.error}`);
  if (report.targets) lines.push('', ...targetLines(report.targets, settings.quick));
  return lines.join('\n');
}

/** Writes bench-<timestamp>.json and latest.json; returns the timestamped file's path. */
export function writeReport(dir: string, report: BenchReport): string {
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const file = path.join(dir, `bench-${report.startedAt.replace(/:/g, '-')}.json`);
  writeFileSync(file, json);
  writeFileSync(path.join(dir, 'latest.json'), json);
  return file;
}

/**
 * CPU milliseconds per request of every scenario, one column per part: the figure that moves
 * least when neighbours take the cores (requests/s falls, the work per request does not).
 */
function cpuTable(report: BenchReport): string[] {
  const measured = report.scenarios.filter((r) => r.cpu);
  if (measured.length === 0) return [];
  const fixedParts = [POSTGRES, REDIS, LOAD_GENERATOR, EVERYTHING_ELSE];
  const processParts = [...new Set(measured.flatMap((r) => Object.keys(r.cpu!.coreSeconds)))].filter((part) => !fixedParts.includes(part));
  const parts = [...processParts, ...fixedParts];
  const header = ['CPU ms per request', ...parts, 'box busy', 'neighbours'];
  const rows = measured.map((r) => {
    const cpu = r.cpu!;
    const cell = (part: string): string => {
      if (!(part in cpu.coreSeconds)) return '—';
      return cpu.requests > 0 ? cpu.msPerRequest[part].toFixed(2) : `${cpu.coreSeconds[part].toFixed(1)} s`;
    };
    const share = `${(cpu.neighbourShare * 100).toFixed(0)} %${cpu.neighbourShare > report.settings.neighbourLimit ? ' !' : ''}`;
    return [r.name, ...parts.map(cell), `${((cpu.boxBusy / Math.max(cpu.boxAvailable, 1e-9)) * 100).toFixed(0)} %`, share];
  });
  const busy = measured.filter((r) => r.cpu!.neighbourShare > report.settings.neighbourLimit).map((r) => r.name);
  return [
    ...table(header, rows),
    `(core-seconds where a scenario has no request count; "everything else" = the box's busy time (/proc/stat) minus every column before it: other sessions, ` +
      `other databases' PostgreSQL backends, the kernel's own threads; "neighbours" = its share of the box)`,
    ...(busy.length > 0 ? [`WARNING ${neighbourWarning(Math.max(...measured.map((r) => r.cpu!.neighbourShare)), report.settings.neighbourLimit)} — in ${busy.join(', ')}`] : []),
  ];
}

function describeRequestCost(cost: RequestCost): string[] {
  const lines = [
    `per request, recorded one at a time: ${cost.statements} SQL statements (${cost.prepared} named prepared), ${cost.redis} Redis commands${cost.redis ? ` (${cost.redisList.join(', ')})` : ''}`,
    ...cost.statementList.map((text, i) => `  ${i + 1}. ${text}`),
  ];
  if (cost.window) {
    const parts = Object.entries(cost.window).map(([label, w]) => `${label} ${w.statements} statements, ${w.redis} Redis commands`);
    lines.push(`per response over the load window (background work included): ${parts.join('; ')}`);
  }
  return lines;
}

function neighbourWarning(share: number, limit: number): string {
  return (
    `the box was busy with other work: neighbours used up to ${(share * 100).toFixed(0)} % of its CPU (limit ${(limit * 100).toFixed(0)} %, --neighbour-limit); ` +
    'requests/s and latencies are low by that much, CPU ms per request much less so'
  );
}

function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a';
}

/** Left-aligned first column, right-aligned numbers, last column left-aligned. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const last = header.length - 1;
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (i === 0 || i === last ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}
