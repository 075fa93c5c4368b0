/**
 * Memory of another process, from /proc/<pid>/status (Linux): VmRSS polled while a scenario runs,
 * and VmHWM (the kernel's own peak, since the process started) read at the end.
 */
import { readFileSync } from 'node:fs';

export interface RssReport {
  /** Highest VmRSS seen while sampling, MiB. */
  peakRssMiB: number;
  /** VmHWM at stop: peak resident set since the process started (start-up included), MiB. */
  hwmMiB: number;
  samples: number;
}

export interface RssSampler {
  stop(): RssReport;
}

const DEFAULT_EVERY_MS = 250;

export function sampleRss(pid: number, everyMs = DEFAULT_EVERY_MS): RssSampler {
  let peakKiB = 0;
  let samples = 0;
  const sample = (): void => {
    const kiB = statusField(pid, 'VmRSS');
    if (kiB !== undefined) {
      samples++;
      peakKiB = Math.max(peakKiB, kiB);
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { peakRssMiB: toMiB(peakKiB), hwmMiB: toMiB(statusField(pid, 'VmHWM') ?? 0), samples };
    },
  };
}

/** A `kB` field of /proc/<pid>/status, or undefined when the process (or /proc) is not there. */
function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function toMiB(kiB: number): number {
  return Math.round((kiB / 1024) * 10) / 10;
}
