import type { Clock } from '../../shared/clock';
import { DomainError } from '../../shared/errors';
import { taskChange, type ReplayTask, type ReplayTaskAction } from '../domain/replay-task';
import type { ReplayTaskRepository } from '../replay-task.repository';

/** How many tasks GET /v1/replay-tasks lists (newest first). */
export const LATEST_TASKS = 100;

/** Reading a bulk replay task, and a person's pause, resume or cancel of it (each audited). */
export class ControlReplayTask {
  constructor(
    private readonly tasks: ReplayTaskRepository,
    private readonly clock: Clock,
  ) {}

  async get(id: string): Promise<ReplayTask> {
    const task = await this.tasks.find(id);
    if (!task) throw new DomainError('not_found', 'replay-task-not-found', `No replay task ${id}; see GET /v1/replay-tasks.`);
    return task;
  }

  latest(): Promise<ReplayTask[]> {
    return this.tasks.latest(LATEST_TASKS);
  }

  async apply(id: string, action: ReplayTaskAction, actor: string): Promise<ReplayTask> {
    const current = await this.get(id);
    const changed = await this.tasks.change(id, taskChange(id, action, actor, this.clock.now()));
    if (changed) return changed;
    const now = (await this.tasks.find(id)) ?? current;
    throw new DomainError('conflict', 'replay-task-not-' + (action === 'resume' ? 'paused' : 'running'), `A ${now.status} replay task cannot be told to ${action}.`);
  }
}
