import { randomUUID } from 'node:crypto';
import type { Clock } from '../../shared/clock';
import type { Transaction } from '../../transactions/domain/transaction';
import type { TransactionRepository } from '../../transactions/transaction.repository';
import type { ReplayTaskRequest } from '../../../contracts/src/message.types';
import { batchIntervalMs, DEFAULT_TASK_SETTINGS, taskEvent, type ReplayTask, type ReplayTaskSettings } from '../domain/replay-task';
import type { ReplayTaskRepository } from '../replay-task.repository';

/** What a person asks for (unset settings take DEFAULT_TASK_SETTINGS). */
export type { ReplayTaskRequest };

/** How many transactions a dry run lists (the total counts them all). */
export const DRY_RUN_LIST_LIMIT = 100;

export interface ReplayTaskPreview {
  total: number;
  settings: ReplayTaskSettings;
  /** Seconds the task would take at its rate. */
  etaSeconds: number;
  /** The first DRY_RUN_LIST_LIMIT, oldest first. */
  transactions: Transaction[];
}

/**
 * POST /v1/replay-tasks and its dry run: a bulk replay becomes a persistent task the worker runs
 * (core/replay-tasks/use-cases/run-replay-tasks.ts); the dry run lists what it would put back and
 * changes nothing. Creating it is audited with who asked and the filters.
 */
export class CreateReplayTask {
  constructor(
    private readonly tasks: ReplayTaskRepository,
    private readonly transactions: TransactionRepository,
    private readonly clock: Clock,
  ) {}

  async dryRun(request: ReplayTaskRequest): Promise<ReplayTaskPreview> {
    const settings = settingsOf(request);
    const [total, transactions] = await Promise.all([
      this.transactions.countReplayable(settings.filters),
      this.transactions.listReplayable(settings.filters, null, DRY_RUN_LIST_LIMIT),
    ]);
    return { total, settings, etaSeconds: Math.ceil(total / settings.perSecond), transactions };
  }

  async create(request: ReplayTaskRequest, actor: string): Promise<ReplayTask> {
    const settings = settingsOf(request);
    const id = randomUUID();
    const now = this.clock.now();
    const total = await this.transactions.countReplayable(settings.filters);
    const event = taskEvent(id, 'replay_task_created', actor, now, { ...settings, total, intervalMs: batchIntervalMs(settings) });
    return this.tasks.create({ id, ...settings, total, createdBy: actor, createdAt: now }, event);
  }
}

function settingsOf(request: ReplayTaskRequest): ReplayTaskSettings {
  return {
    filters: { ...request.filters, states: request.filters?.states ?? ['parked'] },
    batchSize: request.batchSize ?? DEFAULT_TASK_SETTINGS.batchSize,
    perSecond: request.perSecond ?? DEFAULT_TASK_SETTINGS.perSecond,
  };
}
