import type { NewAuditEvent } from '../audit/audit-event';
import type { ReplayCursor, ReplayTask, ReplayTaskChange, ReplayTaskSettings } from './domain/replay-task';

export interface NewReplayTask extends ReplayTaskSettings {
  id: string;
  total: number;
  createdBy: string;
  createdAt: Date;
}

/** What one batch did, written with its audit event. */
export interface BatchProgress {
  cursor: ReplayCursor | null;
  requeued: number;
  skipped: number;
  /** Nothing matched after the cursor: the task is complete (unless it was paused or cancelled meanwhile). */
  done: boolean;
  /** When the next batch is due, from now (the task's rate). */
  nextInMs: number;
  event: NewAuditEvent;
}

/** The replay_tasks table (pg implementation in ./pg). Every change is written with its audit event. */
export abstract class ReplayTaskRepository {
  abstract create(task: NewReplayTask, event: NewAuditEvent): Promise<ReplayTask>;

  abstract find(id: string): Promise<ReplayTask | null>;

  /** The latest tasks, newest first. */
  abstract latest(limit: number): Promise<ReplayTask[]>;

  /** Applies a person's pause, resume or cancel if the task is in one of `change.from`; null otherwise. */
  abstract change(id: string, change: ReplayTaskChange): Promise<ReplayTask | null>;

  /**
   * A running task whose next batch is due and whose lease is free (or already `owner`'s), leased
   * to `owner` for `leaseMs`. Null when none is due.
   */
  abstract claimDue(owner: string, leaseMs: number): Promise<ReplayTask | null>;

  /** Records a batch run under `owner`'s lease and lets the lease go; null if the lease was lost. */
  abstract recordBatch(id: string, owner: string, progress: BatchProgress): Promise<ReplayTask | null>;
}
