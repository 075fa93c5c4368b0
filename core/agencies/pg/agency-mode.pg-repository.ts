import type { Pool, PoolClient } from 'pg';
import type { AuditLog } from '../../audit/audit-log';
import type { NewAuditEvent } from '../../audit/audit-event';
import { withTransaction } from '../../db/pool';
import type { AgencyMode, AgencyModeSetting } from '../domain/agency-mode';
import { AgencyModeRepository, type ModeChange } from '../agency-mode.repository';

interface ModeRow {
  agency_code: string;
  mode: AgencyMode;
  reason: string | null;
  window_start: Date | null;
  window_end: Date | null;
  changed_by: string | null;
  changed_at: Date | null;
  replay_paused: boolean;
}

const COLUMNS = 'agency_code, mode, reason, window_start, window_end, changed_by, changed_at, replay_paused';

export class PgAgencyModeRepository extends AgencyModeRepository {
  constructor(
    private readonly pool: Pool,
    private readonly audit: AuditLog,
  ) {
    super();
  }

  async all(): Promise<AgencyModeSetting[]> {
    const { rows } = await this.pool.query<ModeRow>(`SELECT ${COLUMNS} FROM agency_modes`);
    return rows.map(toSetting);
  }

  setMode(change: ModeChange, event: NewAuditEvent): Promise<AgencyModeSetting> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<ModeRow>(
        `INSERT INTO agency_modes (agency_code, mode, reason, window_start, window_end, changed_by, changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (agency_code) DO UPDATE
           SET mode = EXCLUDED.mode, reason = EXCLUDED.reason, window_start = EXCLUDED.window_start,
               window_end = EXCLUDED.window_end, changed_by = EXCLUDED.changed_by, changed_at = EXCLUDED.changed_at
         RETURNING ${COLUMNS}`,
        [change.agencyCode, change.mode, change.reason, change.window?.start ?? null, change.window?.end ?? null, change.changedBy, change.changedAt],
      );
      await this.audit.append(client, event);
      return toSetting(rows[0]);
    });
  }

  setReplayPaused(agencyCode: string, paused: boolean, event: NewAuditEvent): Promise<AgencyModeSetting> {
    return withTransaction(this.pool, async (client: PoolClient) => {
      const { rows } = await client.query<ModeRow>(
        `INSERT INTO agency_modes (agency_code, replay_paused) VALUES ($1, $2)
         ON CONFLICT (agency_code) DO UPDATE SET replay_paused = EXCLUDED.replay_paused
         RETURNING ${COLUMNS}`,
        [agencyCode, paused],
      );
      await this.audit.append(client, event);
      return toSetting(rows[0]);
    });
  }

  async acquireReplayLease(agencyCode: string, owner: string, leaseMs: number): Promise<boolean> {
    const { rows } = await this.pool.query(
      `INSERT INTO agency_modes (agency_code, replay_lease_owner, replay_lease_until)
       VALUES ($1, $2, now() + make_interval(secs => $3::double precision / 1000))
       ON CONFLICT (agency_code) DO UPDATE
         SET replay_lease_owner = EXCLUDED.replay_lease_owner, replay_lease_until = EXCLUDED.replay_lease_until
         WHERE agency_modes.replay_lease_owner IS NULL OR agency_modes.replay_lease_owner = $2
            OR agency_modes.replay_lease_until < now()
       RETURNING agency_code`,
      [agencyCode, owner, leaseMs],
    );
    return rows.length === 1;
  }

  async releaseReplayLease(agencyCode: string, owner: string): Promise<void> {
    await this.pool.query(
      `UPDATE agency_modes SET replay_lease_owner = NULL, replay_lease_until = NULL WHERE agency_code = $1 AND replay_lease_owner = $2`,
      [agencyCode, owner],
    );
  }
}

function toSetting(row: ModeRow): AgencyModeSetting {
  return {
    agencyCode: row.agency_code,
    mode: row.mode,
    reason: row.reason,
    window: row.window_start && row.window_end ? { start: row.window_start, end: row.window_end } : null,
    changedBy: row.changed_by,
    changedAt: row.changed_at,
    replayPaused: row.replay_paused,
  };
}
