/**
 * The retry queue port: wakes the worker up when a transaction is due for another attempt.
 *
 * PostgreSQL is the source of truth (the transaction row holds state, attempts and
 * `next_attempt_at`) and the outbox sweeper re-enqueues anything overdue, so a queue is an
 * accelerator: a job that is lost, dropped or scheduled twice costs latency, never a request.
 * Jobs therefore carry ids only; the handler reads the row and must be idempotent.
 */

export interface RetryJob {
  transactionId: string;
  agencyCode: string;
  /** The attempt this job makes (the inline attempt was 1, so the first retry is 2). */
  attempt: number;
}

/**
 * A handler's answer "not now": it did nothing (claimed nothing, wrote nothing) and the same job
 * is to run again `laterMs` from now. Not a handler run (no handler attempt is used), not
 * finished: the job keeps its id meanwhile, so schedule() of it stays a no-op.
 */
export interface RetryLater {
  laterMs: number;
}

export type RetryHandler = (job: RetryJob) => Promise<void | RetryLater>;

export interface QueueDepth {
  /** Due and waiting for a free handler slot. */
  waiting: number;
  /** Not due yet: scheduled for later, or backing off after a handler error. */
  delayed: number;
  /** A handler is running it now. */
  active: number;
}

/** Satisfied by `console` and by NestJS's `Logger`. Lines carry ids and agency codes only. */
export interface RetryQueueLogger {
  warn(message: string): void;
  error(message: string): void;
}

/** Knobs shared by both drivers; the defaults suit production, the contract suite shrinks them. */
export interface RetryQueueOptions {
  /**
   * Runs of one job when its handler throws (the database briefly down, say). After the last
   * one the job is dropped with a log line and forgotten, so the sweeper can schedule it again.
   */
  handlerAttempts?: number;
  /** Wait before the first handler re-run; doubles each time, with up to 50 % jitter. */
  handlerBackoffMs?: number;
  /** How long close() waits for running handlers before it lets go of them. */
  closeTimeoutMs?: number;
  logger?: RetryQueueLogger;
}

export const RETRY_QUEUE_DEFAULTS = {
  handlerAttempts: 5,
  handlerBackoffMs: 1_000,
  closeTimeoutMs: 10_000,
} as const;

/**
 * Share of each handler back-off that is random, so that jobs which failed together (the
 * database was down for all of them) do not all come back in the same millisecond.
 */
export const HANDLER_BACKOFF_JITTER = 0.5;

/**
 * How long a finished job's id is remembered, so that a sweeper racing the worker cannot run
 * the same (transaction, attempt) twice. Both drivers keep at most this many, for at most this
 * long. Dropped (failed) jobs are NOT remembered: the sweeper must be able to re-schedule them.
 */
export const FINISHED_JOB_MEMORY = { count: 10_000, ageSeconds: 3_600 } as const;

/**
 * The idempotency key of a job. Not `${transactionId}:${attempt}`: BullMQ 5 rejects custom job
 * ids containing ':' ("Custom Id cannot contain :"). Transaction ids are UUIDs, so the attempt
 * after the last '-' is unambiguous.
 */
export function retryJobId(job: Pick<RetryJob, 'transactionId' | 'attempt'>): string {
  return `${job.transactionId}-${job.attempt}`;
}

/** The depth() key for jobs counted but not attributed to an agency; no agency code has parentheses. */
export const UNATTRIBUTED_AGENCY = '(unattributed)';

/** Abstract class rather than interface so that it can be the NestJS DI token. */
export abstract class RetryQueue {
  /**
   * Runs `job` once, `delayMs` from now (0 or less: as soon as a handler slot is free).
   * Idempotent per (transactionId, attempt): while such a job is delayed, waiting, running or
   * recently finished (FINISHED_JOB_MEMORY), scheduling it again does nothing. Works before
   * consume() is called, and from processes that never consume (the api role).
   * Rejects with an Error once close() has been called, and (BullMQ) with
   * DomainError('unavailable', 'retry-queue-unavailable') when Redis does not take the job in
   * time: the caller logs it and leaves the retry to the sweeper.
   */
  abstract schedule(job: RetryJob, delayMs: number): Promise<void>;

  /**
   * The worker role starts consuming. At most `concurrency` handlers run at once (per instance).
   * A handler answering RetryLater puts its job back, delayed, instead of finishing it. Call once.
   */
  abstract consume(handler: RetryHandler, opts: { concurrency: number }): Promise<void>;

  /**
   * Per agency code; agencies with nothing waiting, delayed or active are absent. Totals are
   * exact; a driver that cannot attribute every job cheaply (BullMQ past DEPTH_SCAN_LIMIT jobs
   * in one state) reports the remainder under UNATTRIBUTED_AGENCY.
   */
  abstract depth(): Promise<Record<string, QueueDepth>>;

  /**
   * Runs now the jobs of the agency that this process put back with RetryLater and that are still
   * waiting for their delay (the agency's breaker closed: they need not wait for the next trial).
   * Returns how many were woken. Best effort: a job it misses still runs when its delay ends.
   */
  abstract wake(agencyCode: string): Promise<number>;

  /**
   * Stops consuming, waits for running handlers (at most closeTimeoutMs), releases timers and
   * connections. Jobs not yet run are left to Redis (BullMQ) or to the sweeper (in-process).
   * A handler still running past the bound is logged and left to finish (BullMQ: its worker
   * connection is released when it returns). Safe to call more than once.
   */
  abstract close(): Promise<void>;
}
