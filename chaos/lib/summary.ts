/** The printed summary: the machine, the faults injected, the traffic, and each check. */
import type { BenchEnvironment } from '../../bench/lib/environment';
import { environmentLines } from '../../bench/lib/environment';
import type { Check, Settling } from './checks';
import type { FaultRecord } from './faults';
import { byStatus, type SentRequest } from './traffic';

export interface ChaosReport {
  command: string;
  startedAt: string;
  finishedAt: string;
  environment: BenchEnvironment;
  settings: Record<string, unknown>;
  faults: FaultRecord[];
  traffic: TrafficSummary[];
  settling: Settling;
  checks: Check[];
  ok: boolean;
}

export interface TrafficSummary {
  kind: string;
  perSecond: number;
  sent: number;
  clientRetries: number;
  answered: number;
  byStatus: Record<string, number>;
  skipped: number;
  p99Ms: number;
}

export function summarizeTraffic(kind: string, perSecond: number, sent: readonly SentRequest[], skipped: number): TrafficSummary {
  const ms = sent.map((s) => s.ms).sort((a, b) => a - b);
  return {
    kind,
    perSecond,
    sent: sent.length,
    clientRetries: sent.filter((s) => s.attempt === 2).length,
    answered: sent.filter((s) => s.status !== 0).length,
    byStatus: byStatus(sent),
    skipped,
    p99Ms: ms.length ? ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.99))] : 0,
  };
}

export function formatReport(report: ChaosReport): string {
  const lines: string[] = ['', `KIUNGO CHAOS RUN — ${report.command}`, ...environmentLines(report.environment), ''];
  lines.push(
    table(
      ['fault', 'at s', 'took s', 'out s', 'what was done'],
      report.faults.map((f) => [f.name, secs(f.startedAtMs), secs(f.tookMs), secs(f.outageMs), f.ok ? f.action : `FAILED: ${f.error ?? ''}`]),
    ),
  );
  lines.push('');
  lines.push(
    table(
      ['traffic', 'rate/s', 'sent', 'client retries', 'answered', 'p99 ms', 'by status'],
      report.traffic.map((t) => [
        t.kind,
        String(t.perSecond),
        String(t.sent),
        String(t.clientRetries),
        String(t.answered),
        String(t.p99Ms),
        Object.entries(t.byStatus).map(([status, n]) => `${status}: ${n}`).join(', ') + (t.skipped ? `; ${t.skipped} ticks skipped (200 in flight)` : ''),
      ]),
    ),
  );
  const s = report.settling;
  lines.push('', `settling: ${s.settled ? 'settled' : 'NOT settled'} after ${secs(s.waitedMs)} s (${s.open} open, ${s.replayPending} awaiting replay)`, '');
  lines.push(table(['check', 'result', 'detail'], report.checks.map((c) => [c.label, c.ok ? 'PASS' : 'FAIL', c.detail])));
  lines.push('', report.ok ? 'RESULT: PASS — nothing answered was lost, filed twice or overbooked' : 'RESULT: FAIL');
  return lines.join('\n');
}

function secs(ms: number): string {
  return (ms / 1000).toFixed(1);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === header.length - 1 ? 0 : r[i].length))));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join(' | ');
  return [line(header), widths.map((w, i) => (i === widths.length - 1 ? '---' : '-'.repeat(w))).join('-|-'), ...rows.map(line)].join('\n');
}
