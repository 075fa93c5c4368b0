import type { ReplayTask as ReplayTaskMessage, ReplayTaskPreview } from '../../../contracts/src/message.types';
import { remaining, taskEtaSeconds, type ReplayTask } from '../../../core/replay-tasks/domain/replay-task';
import type { ReplayTaskPreview as Preview } from '../../../core/replay-tasks/use-cases/create-replay-task';

export function replayTaskView(task: ReplayTask): ReplayTaskMessage {
  return {
    id: task.id,
    status: task.status,
    filters: task.filters,
    batchSize: task.batchSize,
    perSecond: task.perSecond,
    progress: { total: task.total, requeued: task.requeued, skipped: task.skipped, remaining: remaining(task), batches: task.batches },
    etaSeconds: taskEtaSeconds(task),
    createdBy: task.createdBy,
    createdAt: task.createdAt.toISOString(),
    updatedAt: task.updatedAt.toISOString(),
    finishedAt: task.finishedAt?.toISOString() ?? null,
  };
}

export function replayPreviewView(preview: Preview): ReplayTaskPreview {
  return {
    total: preview.total,
    batchSize: preview.settings.batchSize,
    perSecond: preview.settings.perSecond,
    etaSeconds: preview.etaSeconds,
    items: preview.transactions.map((tx) => ({
      id: tx.id,
      agency: tx.agencyCode,
      service: tx.serviceCode,
      state: tx.state === 'parked' ? 'parked' : 'manual',
      reason: tx.parkedReason ? { code: tx.parkedReason.code, reason: tx.parkedReason.reason } : tx.lastError,
      provisionalReference: tx.provisionalRef,
      createdAt: tx.createdAt.toISOString(),
    })),
  };
}
