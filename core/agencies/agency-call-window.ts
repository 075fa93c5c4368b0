/**
 * Agency calls of the last minutes as this process saw them: count, failures and time per minute,
 * for the operations view (latency and error rate) and the error-rate alert. In memory: a few
 * numbers per agency and minute, the last `keepMinutes` kept. Fed by the gateway from the
 * adapters' call listener; the core only reads it.
 */
export interface AgencyCallSummary {
  /** Calls that reached the agency (our own shedding, such as an open breaker, is not a call). */
  calls: number;
  failures: number;
  /** failures / calls, 0–1; null without calls. */
  errorRate: number | null;
  meanMs: number | null;
  maxMs: number | null;
}

interface Minute {
  minute: number;
  calls: number;
  failures: number;
  totalMs: number;
  maxMs: number;
}

const MINUTE_MS = 60_000;

export class AgencyCallWindow {
  private readonly minutes = new Map<string, Minute[]>();

  constructor(private readonly keepMinutes = 15) {}

  record(agencyCode: string, call: { failed: boolean; ms: number; at: Date }): void {
    const minute = Math.floor(call.at.getTime() / MINUTE_MS);
    const list = this.minutes.get(agencyCode) ?? [];
    let bucket = list[list.length - 1];
    if (!bucket || bucket.minute !== minute) {
      bucket = { minute, calls: 0, failures: 0, totalMs: 0, maxMs: 0 };
      list.push(bucket);
      while (list.length > 0 && list[0].minute <= minute - this.keepMinutes) list.shift();
      this.minutes.set(agencyCode, list);
    }
    bucket.calls += 1;
    if (call.failed) bucket.failures += 1;
    bucket.totalMs += call.ms;
    bucket.maxMs = Math.max(bucket.maxMs, call.ms);
  }

  /** The calls of the last `windowMs` up to `now` (whole minutes: the current one and those before it). */
  summary(agencyCode: string, now: Date, windowMs: number): AgencyCallSummary {
    const current = Math.floor(now.getTime() / MINUTE_MS);
    const first = current - Math.max(1, Math.ceil(windowMs / MINUTE_MS)) + 1;
    let calls = 0;
    let failures = 0;
    let totalMs = 0;
    let maxMs = 0;
    for (const bucket of this.minutes.get(agencyCode) ?? []) {
      if (bucket.minute < first || bucket.minute > current) continue;
      calls += bucket.calls;
      failures += bucket.failures;
      totalMs += bucket.totalMs;
      maxMs = Math.max(maxMs, bucket.maxMs);
    }
    return {
      calls,
      failures,
      errorRate: calls > 0 ? failures / calls : null,
      meanMs: calls > 0 ? Math.round(totalMs / calls) : null,
      maxMs: calls > 0 ? Math.round(maxMs) : null,
    };
  }
}
