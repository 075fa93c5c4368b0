/**
 * Where the CPU went during a window (Linux /proc): per process we started, the PostgreSQL server
 * (all its backends), the load generator (this process), and the whole box. On a shared 2-core
 * machine this tells a slow gateway from a busy neighbour.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ; 100 on every Linux this runs on

export interface CpuSnapshot {
  at: number;
  processes: Record<string, number>;
  /** The part of `processes` spent in the kernel (system time: syscalls, loopback TCP). */
  processesKernel: Record<string, number>;
  /** Ticks per PostgreSQL process id: a backend that comes or goes mid-window must not count negative. */
  postgres: Map<number, number>;
  loadGenerator: number;
  boxBusy: number;
  boxTotal: number;
}

export interface CpuUsage {
  /** Core-seconds per process label during the window. */
  processes: Record<string, number>;
  /** Of which in the kernel. */
  processesKernel: Record<string, number>;
  postgres: number;
  loadGenerator: number;
  /** Core-seconds the whole box was busy, and available (wall time × cores). */
  boxBusy: number;
  boxAvailable: number;
}

/** `processes`: label → pid of a process to follow (e.g. { api: 1234 }). */
export function cpuSnapshot(processes: Record<string, number>): CpuSnapshot {
  const own = process.cpuUsage();
  const box = boxTicks();
  return {
    at: Date.now(),
    processes: Object.fromEntries(Object.entries(processes).map(([label, pid]) => [label, processTicks(pid) ?? 0])),
    processesKernel: Object.fromEntries(Object.entries(processes).map(([label, pid]) => [label, processTicks(pid, 'kernel') ?? 0])),
    postgres: postgresTicks(),
    loadGenerator: ((own.user + own.system) / 1e6) * TICKS_PER_SECOND,
    boxBusy: box.busy,
    boxTotal: box.total,
  };
}

export function cpuUsageBetween(before: CpuSnapshot, after: CpuSnapshot): CpuUsage {
  const seconds = (ticks: number): number => Math.round((ticks / TICKS_PER_SECOND) * 100) / 100;
  return {
    processes: Object.fromEntries(Object.keys(after.processes).map((label) => [label, seconds(after.processes[label] - (before.processes[label] ?? 0))])),
    processesKernel: Object.fromEntries(
      Object.keys(after.processesKernel).map((label) => [label, seconds(after.processesKernel[label] - (before.processesKernel[label] ?? 0))]),
    ),
    postgres: seconds([...after.postgres].reduce((sum, [pid, ticks]) => sum + ticks - (before.postgres.get(pid) ?? 0), 0)),
    loadGenerator: seconds(after.loadGenerator - before.loadGenerator),
    boxBusy: seconds(after.boxBusy - before.boxBusy),
    boxAvailable: seconds(after.boxTotal - before.boxTotal),
  };
}

/** One line: `api 2.1, worker 0.3, …, PostgreSQL 1.0, load generator 0.8; box busy 5.2 of 6.0 (other 0.4)`. */
export function describeCpu(usage: CpuUsage): string {
  const ours = Object.values(usage.processes).reduce((a, b) => a + b, 0) + usage.postgres + usage.loadGenerator;
  const parts = [
    ...Object.entries(usage.processes).map(([label, s]) => `${label} ${s.toFixed(1)} (kernel ${(usage.processesKernel[label] ?? 0).toFixed(1)})`),
    `PostgreSQL ${usage.postgres.toFixed(1)}`,
    `load generator ${usage.loadGenerator.toFixed(1)}`,
  ];
  const other = Math.max(0, usage.boxBusy - ours);
  return `${parts.join(', ')}; box busy ${usage.boxBusy.toFixed(1)} of ${usage.boxAvailable.toFixed(1)} (everything else ${other.toFixed(1)})`;
}

/** utime + stime of a process, or only stime (`kernel`). */
function processTicks(pid: number, part: 'all' | 'kernel' = 'all'): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [user, system] = [Number(fields[11]), Number(fields[12])]; // utime, stime: fields 14 and 15 of the line
    return part === 'kernel' ? system : user + system;
  } catch {
    return undefined;
  }
}

/** Every process named `postgres` (the server and its backends, whoever they serve). */
function postgresTicks(): Map<number, number> {
  const ticks = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return ticks;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    const used = processTicks(Number(entry));
    if (used !== undefined) ticks.set(Number(entry), used);
  }
  return ticks;
}

function boxTicks(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const values = line.trim().split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
    const total = values.reduce((a, b) => a + b, 0);
    return { busy: total - values[3] - values[4], total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

export interface CpuWatch {
  /**
   * The window's usage and figure lines for the report. With `responses`, also CPU milliseconds
   * per response: unlike requests/s, that hardly moves when a neighbour takes the cores.
   */
  stop(responses?: number): { usage: CpuUsage; figures: Array<{ label: string; value: string }> };
}

/** Starts counting now. */
export function watchCpu(processes: Record<string, number>): CpuWatch {
  const before = cpuSnapshot(processes);
  return {
    stop: (responses) => {
      const usage = cpuUsageBetween(before, cpuSnapshot(processes));
      const figures = [{ label: 'CPU core-seconds in the window', value: describeCpu(usage) }];
      if (responses) {
        const perResponse = (seconds: number): string => `${((seconds * 1000) / responses).toFixed(2)}`;
        const parts = [
          ...Object.entries(usage.processes).map(([label, s]) => `${label} ${perResponse(s)}`),
          `PostgreSQL ${perResponse(usage.postgres)}`,
          `load generator ${perResponse(usage.loadGenerator)}`,
        ];
        figures.push({ label: 'CPU ms per response', value: parts.join(', ') });
      }
      return { usage, figures };
    },
  };
}
