import { settlesWithin } from './bounded-wait';
import {
  FINISHED_JOB_MEMORY,
  HANDLER_BACKOFF_JITTER,
  QueueDepth,
  RETRY_QUEUE_DEFAULTS,
  RetryHandler,
  RetryJob,
  RetryQueue,
  RetryQueueLogger,
  RetryQueueOptions,
  retryJobId,
} from './retry-queue.port';

/** The n-th handler re-run waits base * 2^(n-1), minus up to HANDLER_BACKOFF_JITTER of it: BullMQ's formula. */
export function handlerBackoffMs(runsMade: number, baseMs: number, random: () => number): number {
  const ceiling = baseMs * 2 ** (runsMade - 1);
  return Math.floor(ceiling * (1 - HANDLER_BACKOFF_JITTER) + random() * ceiling * HANDLER_BACKOFF_JITTER);
}

interface Entry {
  readonly job: RetryJob;
  state: keyof QueueDepth;
  /** Handler runs so far, failed ones included (not those that answered RetryLater). */
  runs: number;
  timer?: NodeJS.Timeout;
  /** Put back by its handler's RetryLater and not run since (wake() may run it early). */
  putBack?: boolean;
}

/**
 * The embedded-mode driver: one process, timers and a bounded runner, nothing persisted.
 * Losing its contents in a crash is fine by design: the sweeper finds overdue rows in PostgreSQL.
 */
export class InProcessRetryQueue extends RetryQueue {
  private readonly entries = new Map<string, Entry>();
  /** Keys of due jobs in the order they became due (FIFO). */
  private readonly ready: string[] = [];
  /** Key -> finish time, oldest first (Map keeps insertion order). */
  private readonly finished = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private readonly handlerAttempts: number;
  private readonly handlerBackoffBaseMs: number;
  private readonly closeTimeoutMs: number;
  private readonly logger: RetryQueueLogger;
  private handler?: RetryHandler;
  private concurrency = 0;
  private closing?: Promise<void>;

  constructor(
    options: RetryQueueOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    super();
    this.handlerAttempts = options.handlerAttempts ?? RETRY_QUEUE_DEFAULTS.handlerAttempts;
    this.handlerBackoffBaseMs = options.handlerBackoffMs ?? RETRY_QUEUE_DEFAULTS.handlerBackoffMs;
    this.closeTimeoutMs = options.closeTimeoutMs ?? RETRY_QUEUE_DEFAULTS.closeTimeoutMs;
    this.logger = options.logger ?? console;
  }

  async schedule(job: RetryJob, delayMs: number): Promise<void> {
    if (this.closing) throw new Error('retry queue is closed');
    const key = retryJobId(job);
    if (this.entries.has(key) || this.finishedRecently(key)) return;
    const entry: Entry = { job: { transactionId: job.transactionId, agencyCode: job.agencyCode, attempt: job.attempt }, state: 'delayed', runs: 0 };
    this.entries.set(key, entry);
    this.delay(key, entry, delayMs);
  }

  async consume(handler: RetryHandler, opts: { concurrency: number }): Promise<void> {
    if (this.closing) throw new Error('retry queue is closed');
    if (this.handler) throw new Error('retry queue is already consuming');
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) {
      throw new RangeError(`concurrency must be an integer >= 1, got ${opts.concurrency}`);
    }
    this.handler = handler;
    this.concurrency = opts.concurrency;
    this.pump();
  }

  async depth(): Promise<Record<string, QueueDepth>> {
    const byAgency: Record<string, QueueDepth> = {};
    for (const { job, state } of this.entries.values()) {
      const depth = (byAgency[job.agencyCode] ??= { waiting: 0, delayed: 0, active: 0 });
      depth[state] += 1;
    }
    return byAgency;
  }

  async wake(agencyCode: string): Promise<number> {
    let woken = 0;
    for (const [key, entry] of this.entries) {
      if (!entry.putBack || entry.state !== 'delayed' || entry.job.agencyCode !== agencyCode) continue;
      clearTimeout(entry.timer);
      this.makeDue(key, entry);
      woken += 1;
    }
    return woken;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    // Not-yet-run jobs are simply forgotten: their rows are still overdue in PostgreSQL.
    for (const [key, entry] of this.entries) {
      clearTimeout(entry.timer);
      if (entry.state !== 'active') this.entries.delete(key);
    }
    this.ready.length = 0;
    const drained = await settlesWithin(Promise.all(this.running), this.closeTimeoutMs);
    if (!drained) {
      this.logger.warn(`retry queue closed with ${this.running.size} handler(s) still running after ${this.closeTimeoutMs} ms`);
    }
  }

  private delay(key: string, entry: Entry, delayMs: number): void {
    if (delayMs <= 0) {
      this.makeDue(key, entry);
      return;
    }
    entry.state = 'delayed';
    const dueAt = Date.now() + delayMs;
    const arm = (ms: number): void => {
      // A timer may fire a millisecond early by the wall clock; "not before its delay" is a promise.
      entry.timer = setTimeout(() => (Date.now() < dueAt ? arm(dueAt - Date.now()) : this.makeDue(key, entry)), ms);
      // A pending retry must not keep a process alive on its own: PostgreSQL still has the row.
      entry.timer.unref();
    };
    arm(delayMs);
  }

  private makeDue(key: string, entry: Entry): void {
    entry.timer = undefined;
    entry.state = 'waiting';
    this.ready.push(key);
    this.pump();
  }

  private pump(): void {
    const handler = this.handler;
    if (!handler || this.closing) return;
    while (this.running.size < this.concurrency && this.ready.length > 0) {
      const key = this.ready.shift() as string;
      const entry = this.entries.get(key);
      if (entry) this.start(key, entry, handler);
    }
  }

  private start(key: string, entry: Entry, handler: RetryHandler): void {
    entry.state = 'active';
    entry.runs += 1;
    entry.putBack = false;
    const run: Promise<void> = this.runOnce(key, entry, handler).finally(() => {
      this.running.delete(run);
      this.pump();
    });
    this.running.add(run);
  }

  private async runOnce(key: string, entry: Entry, handler: RetryHandler): Promise<void> {
    try {
      const later = await handler({ ...entry.job });
      if (later) {
        if (this.closing) {
          this.entries.delete(key); // not run: nothing to remember (the row is still due)
          return;
        }
        entry.runs -= 1;
        entry.putBack = true;
        this.delay(key, entry, later.laterMs);
        return;
      }
      this.entries.delete(key);
      this.remember(key);
    } catch (error) {
      this.afterFailure(key, entry, error);
    }
  }

  private afterFailure(key: string, entry: Entry, error: unknown): void {
    if (this.closing) {
      this.entries.delete(key);
      return;
    }
    if (entry.runs >= this.handlerAttempts) {
      this.entries.delete(key);
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.logger.warn(
        `retry job ${key} (agency ${entry.job.agencyCode}) dropped after ${entry.runs} handler runs, ` +
          `last error ${reason}; the sweeper will re-schedule it`,
      );
      return;
    }
    this.delay(key, entry, handlerBackoffMs(entry.runs, this.handlerBackoffBaseMs, this.random));
  }

  private remember(key: string): void {
    this.finished.delete(key);
    this.finished.set(key, Date.now());
    while (this.finished.size > FINISHED_JOB_MEMORY.count) {
      const oldest = this.finished.keys().next().value as string;
      this.finished.delete(oldest);
    }
  }

  private finishedRecently(key: string): boolean {
    const finishedAt = this.finished.get(key);
    if (finishedAt === undefined) return false;
    if (Date.now() - finishedAt <= FINISHED_JOB_MEMORY.ageSeconds * 1_000) return true;
    this.finished.delete(key);
    return false;
  }
}
