/**
 * Steady traffic at a fixed rate (not as fast as possible: the point is what happens to each
 * request under faults, not throughput). Every request has its own Idempotency-Key and is recorded
 * with its answer. A request that got no answer, or a 5xx, is sent once more later with the SAME key
 * and body — as a channel would — so the idempotency store is exercised under the same faults.
 */
import { randomUUID } from 'node:crypto';

export type RequestKind = 'transaction' | 'booking';

/** What one request was and what came back. */
export interface SentRequest {
  kind: RequestKind;
  /** Idempotency-Key (shared by a request and its client retry). */
  key: string;
  /** Agency code (transactions) or slot (bookings). */
  target: string;
  /** Which api slot it went to (0 or 1). */
  api: number;
  /** 1 for the first send, 2 for the client retry. */
  attempt: number;
  /** HTTP status, or 0 when no answer came (connection refused or reset, timeout). */
  status: number;
  /** Transaction id or booking reference from a 2xx body. */
  id?: string;
  /** Problem `code` of an error body, or the network error's name. */
  error?: string;
  /** Milliseconds since the run began, when sent. */
  at: number;
  ms: number;
}

export interface PlannedRequest {
  kind: RequestKind;
  target: string;
  path: string;
  body: unknown;
}

export interface TrafficOptions {
  perSecond: number;
  /** The base URL of api slot `i` right now (slots are replaced when a process restarts). */
  apiUrl: (index: number) => string;
  apiCount: number;
  token: string;
  /** The next request, or a burst of requests sent at once (spread over the api slots). */
  next: () => PlannedRequest | PlannedRequest[];
  /** Where the id is in a 2xx body. */
  idOf: (body: Record<string, unknown>) => string | undefined;
  runStartedAt: number;
}

const REQUEST_TIMEOUT_MS = 15_000;
const MAX_IN_FLIGHT = 200;
const CLIENT_RETRY_DELAY_MS = 3000;

export class SteadyTraffic {
  readonly sent: SentRequest[] = [];
  /** Ticks dropped because MAX_IN_FLIGHT requests were still waiting (the gateway stalled). */
  skipped = 0;
  private timer?: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private sequence = 0;
  private stopped = false;

  constructor(private readonly options: TrafficOptions) {}

  start(): void {
    const everyMs = 1000 / this.options.perSecond;
    this.timer = setInterval(() => this.tick(), everyMs);
  }

  /** Stops sending (pending client retries are dropped) and waits for the answers still due. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    await Promise.all([...this.inFlight]);
  }

  private tick(): void {
    if (this.inFlight.size >= MAX_IN_FLIGHT) {
      this.skipped++;
      return;
    }
    const planned = this.options.next();
    for (const request of Array.isArray(planned) ? planned : [planned]) {
      this.send(request, randomUUID(), this.sequence++ % this.options.apiCount, 1);
    }
  }

  private send(planned: PlannedRequest, key: string, api: number, attempt: number): void {
    const work = this.exchange(planned, key, api, attempt).then((record) => {
      this.sent.push(record);
      if (attempt === 1 && (record.status === 0 || record.status >= 500) && !this.stopped) {
        const timer = setTimeout(() => {
          this.retryTimers.delete(timer);
          // The retry goes to the other api: the first may be the one that is down.
          this.send(planned, key, (api + 1) % this.options.apiCount, 2);
        }, CLIENT_RETRY_DELAY_MS);
        this.retryTimers.add(timer);
      }
    });
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async exchange(planned: PlannedRequest, key: string, api: number, attempt: number): Promise<SentRequest> {
    const startedAt = Date.now();
    const base = { kind: planned.kind, key, target: planned.target, api, attempt, at: startedAt - this.options.runStartedAt };
    try {
      const response = await fetch(`${this.options.apiUrl(api)}${planned.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.token}`, 'idempotency-key': key },
        body: JSON.stringify(planned.body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      const body = parseObject(text);
      const ok = response.status >= 200 && response.status < 300;
      return {
        ...base,
        status: response.status,
        ...(ok ? { id: this.options.idOf(body) } : { error: typeof body.code === 'string' ? body.code : undefined }),
        ms: Date.now() - startedAt,
      };
    } catch (error) {
      return { ...base, status: 0, error: networkErrorName(error), ms: Date.now() - startedAt };
    }
  }
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function networkErrorName(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: { code?: unknown } }).cause;
    if (cause && typeof cause.code === 'string') return cause.code;
    return error.name;
  }
  return 'error';
}

/** Counts of answers by status ('-' for no answer), e.g. { '202': 310, '-': 4 }. */
export function byStatus(sent: readonly SentRequest[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of sent) {
    const label = s.status === 0 ? 'no answer' : String(s.status);
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort());
}
