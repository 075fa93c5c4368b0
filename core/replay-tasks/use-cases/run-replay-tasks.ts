import type { Clock } from '../../shared/clock';
import { requeueStep } from '../../transactions/domain/fallback-rules';
import { SYSTEM_ACTORS } from '../../transactions/domain/transaction-events';
import type { TransactionRepository } from '../../transactions/transaction.repository';
import { batchIntervalMs, taskEvent, type ReplayTask } from '../domain/replay-task';
import type { ReplayTaskRepository } from '../replay-task.repository';

/** A worker holds a task this long per batch; a batch of 500 single-row updates fits well within it. */
export const TASK_LEASE_MS = 60_000;

/**
 * The worker's side of bulk replay tasks: claims a running task whose next batch is due, puts the
 * next `batchSize` matching transactions back into their agencies' backlogs (each audited as asked
 * by the task's creator, naming the task), and records the batch with its audit event. Everything
 * is in PostgreSQL: a worker killed mid-batch leaves a lease that expires, and its successor
 * redoes the batch from the stored cursor (a transaction already put back no longer matches).
 */
export class RunReplayTasks {
  constructor(
    private readonly tasks: ReplayTaskRepository,
    private readonly transactions: TransactionRepository,
    private readonly clock: Clock,
  ) {}

  /** Runs due batches until none is due; how many it ran. */
  async runDue(owner: string, stopping: () => boolean = () => false): Promise<number> {
    let batches = 0;
    while (!stopping()) {
      const task = await this.tasks.claimDue(owner, TASK_LEASE_MS);
      if (!task) break;
      await this.runBatch(task, owner);
      batches++;
    }
    return batches;
  }

  private async runBatch(task: ReplayTask, owner: string): Promise<void> {
    const batch = await this.transactions.listReplayable(task.filters, task.cursor, task.batchSize);
    let requeued = 0;
    for (const tx of batch) {
      const step = requeueStep(tx, task.createdBy, this.clock.now(), { task: task.id });
      if (step.kind === 'requeued' && (await this.transactions.apply(tx.id, step))) requeued++;
    }
    const last = batch.at(-1);
    const cursor = last ? { createdAt: last.createdAt, id: last.id } : null;
    const done = batch.length < task.batchSize;
    const skipped = batch.length - requeued;
    const event = taskEvent(task.id, 'replay_task_batch', SYSTEM_ACTORS.replay, this.clock.now(), { batch: task.batches + 1, requeued, skipped, done });
    await this.tasks.recordBatch(task.id, owner, { cursor, requeued, skipped, done, nextInMs: batchIntervalMs(task), event });
  }
}
