import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { REPLAY_IDLE_MS, ReplayBacklog, type ReplayPacer } from '../../../core/transactions/use-cases/replay-backlog';
import { Catalogue } from '../../../contracts/src/catalogue';

/**
 * The worker's replay loop: one per agency in this process, each running replay sessions
 * (core/transactions/use-cases/replay-backlog.ts decides when an agency is ready and paces the
 * calls) and resting when there was nothing to do. Waits end early when the process stops.
 */
@Injectable()
export class ReplayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Replay');
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly loops: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();
  private stopping = false;
  private readonly pacer: ReplayPacer = {
    now: () => performance.now(),
    wait: (ms) => this.sleep(ms),
    stopping: () => this.stopping,
  };

  constructor(
    private readonly catalogue: Catalogue,
    private readonly replay: ReplayBacklog,
  ) {}

  onApplicationBootstrap(): void {
    for (const agency of this.catalogue.agencies) this.loops.push(this.loop(agency.code));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const wake of this.wakers) wake();
    await Promise.all(this.loops);
  }

  private async loop(agencyCode: string): Promise<void> {
    while (!this.stopping) {
      let replayed = 0;
      try {
        replayed = await this.replay.session(agencyCode, this.owner, this.pacer);
        if (replayed > 0) this.logger.log(`replayed ${replayed} stored transaction(s) to ${agencyCode}`);
      } catch (error) {
        if (!this.stopping) this.logger.warn(`replay of ${agencyCode} failed, will try again: ${(error as Error).message}`);
      }
      if (replayed === 0) await this.sleep(REPLAY_IDLE_MS);
    }
  }

  /** A wait that ends early when the application shuts down. */
  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}
