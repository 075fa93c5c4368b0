import type { Pool, PoolClient } from 'pg';
import type { NewAuditEvent } from '../../audit/audit-event';
import type { AuditLog } from '../../audit/audit-log';
import { withTransaction } from '../../db/pool';
import type { ReplayFilters, ReplayTask, ReplayTaskChange, ReplayTaskStatus } from '../domain/replay-task';
import { ReplayTaskRepository, type BatchProgress, type NewReplayTask } from '../replay-task.repository';

const COLUMNS = `id, status, filters, batch_size, per_second, total, requeued, skipped, batches, cursor_created_at, cursor_id,
  created_by, created_at, updated_at, finished_at`;

interface TaskRow {
  id: string;
  status: ReplayTaskStatus;
  filters: ReplayFilters;
  batch_size: number;
  per_second: string;
  total: number;
  requeued: number;
  skipped: number;
  batches: number;
  cursor_created_at: Date | null;
  cursor_id: string | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

function toTask(row: TaskRow): ReplayTask {
  return {
    id: row.id,
    status: row.status,
    filters: row.filters,
    batchSize: row.batch_size,
    perSecond: Number(row.per_second),
    total: row.total,
    requeued: row.requeued,
    skipped: row.skipped,
    batches: row.batches,
    cursor: row.cursor_created_at && row.cursor_id ? { createdAt: row.cursor_created_at, id: row.cursor_id } : null,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

/** replay_tasks, each change in one database transaction with its audit event. */
export class PgReplayTaskRepository extends ReplayTaskRepository {
  constructor(
    private readonly pool: Pool,
    private readonly audit: AuditLog,
  ) {
    super();
  }

  create(task: NewReplayTask, event: NewAuditEvent): Promise<ReplayTask> {
    return this.audited(event, async (client) => {
      const { rows } = await client.query<TaskRow>(
        `INSERT INTO replay_tasks (id, status, filters, batch_size, per_second, total, next_batch_at, created_by, created_at, updated_at)
         VALUES ($1, 'running', $2::jsonb, $3, $4, $5, now(), $6, $7, $7)
         RETURNING ${COLUMNS}`,
        [task.id, JSON.stringify(task.filters), task.batchSize, task.perSecond, task.total, task.createdBy, task.createdAt],
      );
      return rows[0];
    }).then((row) => toTask(row!));
  }

  async find(id: string): Promise<ReplayTask | null> {
    const { rows } = await this.pool.query<TaskRow>(`SELECT ${COLUMNS} FROM replay_tasks WHERE id = $1`, [id]);
    return rows[0] ? toTask(rows[0]) : null;
  }

  async latest(limit: number): Promise<ReplayTask[]> {
    const { rows } = await this.pool.query<TaskRow>(`SELECT ${COLUMNS} FROM replay_tasks ORDER BY created_at DESC, id DESC LIMIT $1`, [limit]);
    return rows.map(toTask);
  }

  async change(id: string, change: ReplayTaskChange): Promise<ReplayTask | null> {
    const row = await this.audited(change.event, async (client) => {
      const { rows } = await client.query<TaskRow>(
        `UPDATE replay_tasks
            SET status = $2, updated_at = $4,
                finished_at = CASE WHEN $2 IN ('completed', 'cancelled') THEN $4::timestamptz ELSE finished_at END,
                -- A resumed task goes on at once; a cancelled one lets its lease go.
                next_batch_at = CASE WHEN $2 = 'running' THEN now() ELSE next_batch_at END
          WHERE id = $1 AND status = ANY($3::text[])
          RETURNING ${COLUMNS}`,
        [id, change.to, change.from, change.event.occurredAt],
      );
      return rows[0];
    });
    return row ? toTask(row) : null;
  }

  async claimDue(owner: string, leaseMs: number): Promise<ReplayTask | null> {
    const { rows } = await this.pool.query<TaskRow>(
      `UPDATE replay_tasks t
          SET lease_owner = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000)
         FROM (SELECT id FROM replay_tasks
                WHERE status = 'running' AND next_batch_at <= now()
                  AND (lease_owner IS NULL OR lease_owner = $1 OR lease_until < now())
                ORDER BY next_batch_at LIMIT 1
                FOR UPDATE SKIP LOCKED) due
        WHERE t.id = due.id
        RETURNING ${COLUMNS.split(',').map((c) => `t.${c.trim()}`).join(', ')}`,
      [owner, leaseMs],
    );
    return rows[0] ? toTask(rows[0]) : null;
  }

  async recordBatch(id: string, owner: string, progress: BatchProgress): Promise<ReplayTask | null> {
    const row = await this.audited(progress.event, async (client) => {
      // Counts are written whatever a person did meanwhile (a cancel loses no count); only a
      // task still running becomes completed.
      const { rows } = await client.query<TaskRow>(
        `UPDATE replay_tasks
            SET requeued = requeued + $3, skipped = skipped + $4, batches = batches + 1,
                cursor_created_at = coalesce($5, cursor_created_at), cursor_id = coalesce($6::uuid, cursor_id),
                status = CASE WHEN $7 AND status = 'running' THEN 'completed' ELSE status END,
                finished_at = CASE WHEN $7 AND status = 'running' THEN $9::timestamptz ELSE finished_at END,
                next_batch_at = now() + make_interval(secs => $8::double precision / 1000),
                lease_owner = NULL, lease_until = NULL, updated_at = $9
          WHERE id = $1 AND lease_owner = $2
          RETURNING ${COLUMNS}`,
        [
          id,
          owner,
          progress.requeued,
          progress.skipped,
          progress.cursor?.createdAt ?? null,
          progress.cursor?.id ?? null,
          progress.done,
          progress.nextInMs,
          progress.event.occurredAt,
        ],
      );
      return rows[0];
    });
    return row ? toTask(row) : null;
  }

  /** Runs `write`; its audit event is appended in the same database transaction, only if it wrote a row. */
  private audited(event: NewAuditEvent, write: (client: PoolClient) => Promise<TaskRow | undefined>): Promise<TaskRow | undefined> {
    return withTransaction(this.pool, async (client) => {
      const row = await write(client);
      if (row) await this.audit.append(client, event);
      return row;
    });
  }
}
