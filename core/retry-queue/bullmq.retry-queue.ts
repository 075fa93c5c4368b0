import { DelayedError, Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { DomainError } from '../shared/errors';
import { settlesWithin, withinOrFail } from './bounded-wait';
import { countDepthByAgency } from './bullmq-depth';
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

export const RETRY_QUEUE_NAME = 'kiungo-retries';
export const DEFAULT_RETRY_QUEUE_PREFIX = 'kiungo';

export interface BullMqRetryQueueOptions extends RetryQueueOptions {
  redisUrl: string;
  /** Redis key prefix (BullMQ `prefix`); lets several deployments or test runs share one Redis. */
  prefix?: string;
  /** schedule() rejects after this long when Redis does not take the job (default 3 s). */
  scheduleTimeoutMs?: number;
}

/** Job name = agency code, so that depth() can group jobs without loading their data. */
type RetryQueueJob = Job<RetryJob, void, string>;

/**
 * The production driver: one BullMQ queue on Redis shared by every api and worker replica.
 * Delays are BullMQ delayed jobs, idempotency is the custom job id, handler errors are retried
 * by BullMQ's attempts + exponential backoff. The Worker (and its connection) exists only
 * in a process that calls consume(), so api replicas hold a single Redis connection.
 */
export class BullMqRetryQueue extends RetryQueue {
  private readonly queue: Queue<RetryJob, void, string>;
  private readonly producerConnection: Redis;
  private workerConnection?: Redis;
  private worker?: Worker<RetryJob, void, string>;
  /** Per agency, ids of the jobs this process put back (RetryLater) and has not run since: wake() promotes them. */
  private readonly putBack = new Map<string, Set<string>>();
  /** Handlers in flight, counted for the log line when close() stops waiting for them. */
  private readonly running = new Set<Promise<void>>();
  private readonly logger: RetryQueueLogger;
  private readonly closeTimeoutMs: number;
  private readonly scheduleTimeoutMs: number;
  private closing?: Promise<void>;

  constructor(private readonly options: BullMqRetryQueueOptions) {
    super();
    this.logger = options.logger ?? console;
    this.closeTimeoutMs = options.closeTimeoutMs ?? RETRY_QUEUE_DEFAULTS.closeTimeoutMs;
    this.scheduleTimeoutMs = options.scheduleTimeoutMs ?? 3_000;
    // Producer side fails fast-ish: a retry that cannot be queued is still in PostgreSQL.
    this.producerConnection = this.connect('producer', { maxRetriesPerRequest: 3 });
    this.queue = new Queue<RetryJob, void, string>(RETRY_QUEUE_NAME, {
      connection: this.producerConnection,
      prefix: options.prefix ?? DEFAULT_RETRY_QUEUE_PREFIX,
      defaultJobOptions: {
        attempts: options.handlerAttempts ?? RETRY_QUEUE_DEFAULTS.handlerAttempts,
        backoff: { type: 'exponential', delay: options.handlerBackoffMs ?? RETRY_QUEUE_DEFAULTS.handlerBackoffMs, jitter: HANDLER_BACKOFF_JITTER },
        // Finished ids are kept a while so a racing sweeper cannot run (id, attempt) twice...
        removeOnComplete: { age: FINISHED_JOB_MEMORY.ageSeconds, count: FINISHED_JOB_MEMORY.count },
        // ...but dropped ones are removed at once: a kept failed job would hold its id, and
        // BullMQ ignores an add() whose id exists, so the sweeper could not re-schedule it.
        removeOnFail: true,
      },
    });
    this.queue.on('error', (error) => this.logger.error(`retry queue (redis): ${error.message}`));
  }

  /** The BullMQ queue itself, for the operators' queue board (/ops/queues); nothing else may use it. */
  get boardQueue(): Queue<RetryJob, void, string> {
    return this.queue;
  }

  async schedule(job: RetryJob, delayMs: number): Promise<void> {
    if (this.closing) throw new Error('retry queue is closed');
    const data: RetryJob = { transactionId: job.transactionId, agencyCode: job.agencyCode, attempt: job.attempt };
    // An existing id (delayed, waiting, active or recently completed) makes add() a no-op.
    // Refused at once (Redis down: ioredis gives up after maxRetriesPerRequest) or too slow, it is the
    // same to the caller: the retry queue is unavailable, and the transaction's due time in
    // PostgreSQL (the sweeper) is the safety net.
    const unavailable = (why: string) => new DomainError('unavailable', 'retry-queue-unavailable', `Redis did not take retry job ${retryJobId(job)}: ${why}`);
    const adding = this.queue.add(job.agencyCode, data, { jobId: retryJobId(job), delay: Math.max(0, delayMs) }).catch((error: Error) => {
      throw unavailable(error.message);
    });
    await withinOrFail(adding, this.scheduleTimeoutMs, () => unavailable(`no answer within ${this.scheduleTimeoutMs} ms`));
  }

  async consume(handler: RetryHandler, opts: { concurrency: number }): Promise<void> {
    if (this.closing) throw new Error('retry queue is closed');
    if (this.worker) throw new Error('retry queue is already consuming');
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) {
      throw new RangeError(`concurrency must be an integer >= 1, got ${opts.concurrency}`);
    }
    // BullMQ requires maxRetriesPerRequest: null on a worker connection (blocking commands).
    this.workerConnection = this.connect('worker', { maxRetriesPerRequest: null });
    this.worker = new Worker<RetryJob, void, string>(RETRY_QUEUE_NAME, (job: RetryQueueJob, token?: string) => this.track(this.run(job, token, handler)), {
      connection: this.workerConnection,
      prefix: this.options.prefix ?? DEFAULT_RETRY_QUEUE_PREFIX,
      concurrency: opts.concurrency,
    });
    this.worker.on('failed', (job, error) => this.logDrop(job, error));
    this.worker.on('error', (error) => this.logger.error(`retry queue worker (redis): ${error.message}`));
    // Boot is not held hostage to Redis: BullMQ keeps connecting in the background and starts
    // consuming when Redis answers; meanwhile PostgreSQL and the sweeper still hold every retry.
    if (!(await settlesWithin(this.worker.waitUntilReady(), this.scheduleTimeoutMs))) {
      this.logger.warn(`retry queue worker: Redis not ready after ${this.scheduleTimeoutMs} ms; will consume once it is`);
    }
  }

  async wake(agencyCode: string): Promise<number> {
    const ids = this.putBack.get(agencyCode);
    if (!ids || ids.size === 0) return 0;
    this.putBack.delete(agencyCode);
    let woken = 0;
    for (const id of ids) {
      const job = await Job.fromId<RetryJob, void, string>(this.queue, id);
      // Not delayed any more (running, finished, or woken by another process): nothing to do.
      if (job && (await job.isDelayed()) && (await job.promote().then(() => true, () => false))) woken += 1;
    }
    return woken;
  }

  async depth(): Promise<Record<string, QueueDepth>> {
    return countDepthByAgency(this.queue, this.producerConnection);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.worker && this.workerConnection) await this.closeWorker(this.worker, this.workerConnection);
    await this.queue.close();
    await quit(this.producerConnection);
  }

  private async closeWorker(worker: Worker<RetryJob, void, string>, connection: Redis): Promise<void> {
    // Graceful: BullMQ stops fetching, waits for active jobs and records their completion.
    // (Its force close would skip recording it, leaving a finished job in `active`.)
    const released = worker.close().then(
      () => quit(connection),
      (error: Error) => {
        this.logger.error(`retry queue worker close: ${error.message}`);
        return quit(connection);
      },
    );
    if (!(await settlesWithin(released, this.closeTimeoutMs))) {
      // Handlers still running are left to finish: BullMQ keeps renewing their locks (so no
      // other worker takes their jobs meanwhile), records their outcome, then closes the worker
      // and its connection. Not disconnecting on purpose: BullMQ 5 retries recording a
      // completion on a closed connection in a tight loop, which would freeze the process.
      this.logger.warn(`retry queue closed with ${this.running.size} handler(s) still running after ${this.closeTimeoutMs} ms`);
    }
  }

  /** One handler run; a RetryLater answer puts the same job back in the delayed set (no handler attempt used). */
  private async run(job: RetryQueueJob, token: string | undefined, handler: RetryHandler): Promise<void> {
    const { agencyCode } = job.data;
    if (job.id) this.putBack.get(agencyCode)?.delete(job.id);
    const later = await handler(toRetryJob(job));
    if (!later) return;
    await job.moveToDelayed(Date.now() + Math.max(0, later.laterMs), token);
    if (job.id) {
      const ids = this.putBack.get(agencyCode) ?? new Set<string>();
      this.putBack.set(agencyCode, ids.add(job.id));
    }
    throw new DelayedError();
  }

  private track(handling: Promise<void>): Promise<void> {
    const tracked = handling.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(tracked);
    void tracked.then(() => this.running.delete(tracked));
    return handling;
  }

  private logDrop(job: RetryQueueJob | undefined, error: Error): void {
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return; // BullMQ will run it again
    this.logger.warn(
      `retry job ${job.id} (agency ${job.data.agencyCode}) dropped after ${job.attemptsMade} handler runs, ` +
        `last error ${error.name}: ${error.message}; the sweeper will re-schedule it`,
    );
  }

  private connect(role: 'producer' | 'worker', options: { maxRetriesPerRequest: number | null }): Redis {
    const connection = new Redis(this.options.redisUrl, {
      ...options,
      connectionName: `kiungo-retries-${role}`,
      // ioredis arms this timer on disconnect even when the socket is already gone (Redis down),
      // holding the process open for its full length (2 s by default) after close().
      disconnectTimeout: 500,
    });
    // BullMQ detaches its own listener on close; without one, ioredis prints "Unhandled error event".
    connection.on('error', () => {});
    return connection;
  }
}

function toRetryJob(job: RetryQueueJob): RetryJob {
  return { transactionId: job.data.transactionId, agencyCode: job.data.agencyCode, attempt: job.data.attempt };
}

async function quit(connection: Redis): Promise<void> {
  if (connection.status === 'end') return;
  if (connection.status !== 'ready') {
    // Connecting or reconnecting (Redis down): QUIT would only join the offline queue.
    connection.disconnect();
    return;
  }
  try {
    await connection.quit();
  } catch {
    connection.disconnect(); // already broken: nothing to flush
  }
}
