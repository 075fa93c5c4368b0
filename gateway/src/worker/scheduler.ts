import { Injectable, Logger, Module, type BeforeApplicationShutdown } from '@nestjs/common';

/**
 * One job run every `everyMs`: a pass still running when the next is due is not started twice
 * (the tick is skipped), and `stop()` waits for the running pass.
 */
export class PeriodicJob {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    readonly name: string,
    readonly everyMs: number,
    private readonly pass: () => Promise<void>,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.runOnce(), this.everyMs);
    // A timer alone never keeps the process up: shutdown is the application's to decide.
    this.timer.unref();
  }

  /** One pass now, or the pass already running. Never rejects: a failed pass is logged and tried again next time. */
  runOnce(): Promise<void> {
    this.running ??= this.pass()
      .catch((error: Error) => this.logger.warn(`${this.name} failed, will try again: ${error.message}`))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

/**
 * The worker role's periodic jobs (sweeper, booking jobs, agency reservations), in one place.
 * On shutdown it stops them and waits for the passes under way, before the pool and the queue
 * close (`beforeApplicationShutdown` runs ahead of every `onApplicationShutdown`).
 */
@Injectable()
export class Scheduler implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private readonly jobs = new Map<string, PeriodicJob>();

  /** Registers and starts `pass` every `everyMs`. */
  every(name: string, everyMs: number, pass: () => Promise<void>): PeriodicJob {
    if (this.jobs.has(name)) throw new Error(`a periodic job named ${name} is already scheduled`);
    const job = new PeriodicJob(name, everyMs, pass, this.logger);
    this.jobs.set(name, job);
    job.start();
    return job;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((job) => job.stop()));
    this.jobs.clear();
  }
}

@Module({ providers: [Scheduler], exports: [Scheduler] })
export class SchedulerModule {}
