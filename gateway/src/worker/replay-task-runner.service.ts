import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { RunReplayTasks } from '../../../core/replay-tasks/use-cases/run-replay-tasks';
import { Scheduler } from './scheduler';

/** How often the worker looks for a replay task whose next batch is due. */
export const REPLAY_TASK_POLL_MS = 250;

/** The worker's side of bulk replay tasks: a thin periodic job over core/replay-tasks. */
@Injectable()
export class ReplayTaskRunnerService implements OnApplicationBootstrap {
  private readonly logger = new Logger('ReplayTasks');
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly tasks: RunReplayTasks,
    private readonly scheduler: Scheduler,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.every('replay-tasks', REPLAY_TASK_POLL_MS, async () => {
      const batches = await this.tasks.runDue(this.owner);
      if (batches > 0) this.logger.log(`ran ${batches} replay task batch(es)`);
    });
  }
}
