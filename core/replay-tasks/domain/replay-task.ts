import type { ReplayTaskRequest } from '../../../contracts/src/message.types';
import type { NewAuditEvent } from '../../audit/audit-event';

/**
 * A bulk replay task (STYLE.md habit 12, like OpenHIM's re-run tasks): parked or stranded `manual`
 * transactions matching its filters go back into their agencies' replay backlogs, a batch at a
 * time at its rate, oldest first. It lives in PostgreSQL: whichever worker holds its lease runs the
 * next batch, so it survives restarts. The replay itself stays the agencies' FIFO replay.
 *
 *   running ──pause──> paused ──resume──> running ──(nothing left)──> completed
 *   running | paused ──cancel──> cancelled   (what was not yet put back stays where it was)
 */
export const REPLAY_TASK_STATUSES = ['running', 'paused', 'completed', 'cancelled'] as const;
export type ReplayTaskStatus = (typeof REPLAY_TASK_STATUSES)[number];

/** Which transactions a task (or the single-call bulk replay) puts back. */
export const REPLAYABLE_STATES = ['parked', 'manual'] as const;
export type ReplayableState = (typeof REPLAYABLE_STATES)[number];

/**
 * Which transactions a task (or the single-call bulk replay) puts back: agency, service, states
 * (default `['parked']`; `manual`: attempts ran out outside the backlog, never a paper-process
 * one), reason (the parked reason's code, or the last error's of a `manual` one) and a creation
 * time range. The shape is the contract's (contracts/schemas/replay-task-request.v1.json).
 */
export type ReplayFilters = NonNullable<ReplayTaskRequest['filters']>;

export interface ReplayTaskSettings {
  filters: ReplayFilters;
  batchSize: number;
  perSecond: number;
}

export const DEFAULT_TASK_SETTINGS = { batchSize: 50, perSecond: 10 } as const;

/** The last transaction a task handled (arrival order): the next batch starts after it. */
export interface ReplayCursor {
  createdAt: Date;
  id: string;
}

export interface ReplayTask extends ReplayTaskSettings {
  id: string;
  status: ReplayTaskStatus;
  /** Matched when the task was created. */
  total: number;
  requeued: number;
  skipped: number;
  batches: number;
  cursor: ReplayCursor | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export type ReplayTaskAction = 'pause' | 'resume' | 'cancel';

const ACTIONS: Record<ReplayTaskAction, { from: readonly ReplayTaskStatus[]; to: ReplayTaskStatus; event: string }> = {
  pause: { from: ['running'], to: 'paused', event: 'replay_task_paused' },
  resume: { from: ['paused'], to: 'running', event: 'replay_task_resumed' },
  cancel: { from: ['running', 'paused'], to: 'cancelled', event: 'replay_task_cancelled' },
};

/** A status change asked by a person: the statuses it may leave, the status it sets, its audit event. */
export interface ReplayTaskChange {
  from: readonly ReplayTaskStatus[];
  to: ReplayTaskStatus;
  event: NewAuditEvent;
}

export function taskChange(taskId: string, action: ReplayTaskAction, actor: string, now: Date): ReplayTaskChange {
  const { from, to, event } = ACTIONS[action];
  return { from, to, event: taskEvent(taskId, event, actor, now, {}) };
}

export function taskEvent(taskId: string, type: string, actor: string, at: Date, data: Record<string, unknown>): NewAuditEvent {
  return { entityType: 'replay-task', entityId: taskId, type, actor, data, occurredAt: at };
}

/** Time between two batches at the task's rate. */
export function batchIntervalMs(task: Pick<ReplayTaskSettings, 'batchSize' | 'perSecond'>): number {
  return Math.ceil((task.batchSize / task.perSecond) * 1000);
}

export function remaining(task: Pick<ReplayTask, 'total' | 'requeued' | 'skipped'>): number {
  return Math.max(0, task.total - task.requeued - task.skipped);
}

/** Seconds until a running task is through at its rate; null unless running. */
export function taskEtaSeconds(task: Pick<ReplayTask, 'status' | 'total' | 'requeued' | 'skipped' | 'perSecond'>): number | null {
  if (task.status !== 'running') return null;
  return Math.ceil(remaining(task) / task.perSecond);
}
