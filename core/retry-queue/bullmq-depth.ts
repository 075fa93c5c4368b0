import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueDepth, RetryJob, UNATTRIBUTED_AGENCY } from './retry-queue.port';

/**
 * Jobs looked at per state. depth() feeds the operations dashboard and /metrics, polled every
 * few seconds, so it must stay cheap when an agency is down for hours and its backlog grows:
 * per state it reads at most this many ids and one short hash field each (two round trips).
 */
export const DEPTH_SCAN_LIMIT = 10_000;

const STATES = ['waiting', 'delayed', 'active'] as const satisfies ReadonlyArray<keyof QueueDepth>;

/**
 * Per-agency depth from BullMQ's own lists, read rather than counted on the side: counters kept
 * in a Redis hash would have to follow every state change inside BullMQ's Lua scripts (promote,
 * retry, stall, remove), which we cannot hook atomically, so they would drift after any crash.
 * The agency is the job's name (set by schedule()), fetched with HGET, not the whole job hash.
 */
export async function countDepthByAgency(
  queue: Queue<RetryJob, void, string>,
  redis: Redis,
  scanLimit: number = DEPTH_SCAN_LIMIT,
): Promise<Record<string, QueueDepth>> {
  const totals = await queue.getJobCounts(...STATES);
  const idsByState = await Promise.all(STATES.map((state) => queue.getRanges([state], 0, scanLimit - 1)));
  const lookup = redis.pipeline();
  idsByState.forEach((ids) => ids.forEach((id) => lookup.hget(queue.toKey(id), 'name')));
  const names = ((await lookup.exec()) ?? []).map(([error, name]) => (error ? null : name));

  const byAgency: Record<string, QueueDepth> = {};
  const add = (agency: string, state: keyof QueueDepth, count: number) => {
    if (count <= 0) return;
    const depth = (byAgency[agency] ??= { waiting: 0, delayed: 0, active: 0 });
    depth[state] += count;
  };
  let next = 0;
  STATES.forEach((state, index) => {
    let attributed = 0;
    for (let i = 0; i < idsByState[index].length; i += 1, next += 1) {
      const agency = names[next];
      // null: the job finished between the two reads (or a BullMQ marker id); it is gone.
      if (typeof agency === 'string') {
        add(agency, state, 1);
        attributed += 1;
      }
    }
    // Only past the scan limit; the counts and the lists are read a moment apart, hence max(0).
    if (idsByState[index].length >= scanLimit) add(UNATTRIBUTED_AGENCY, state, Math.max(0, (totals[state] ?? 0) - attributed));
  });
  return byAgency;
}
