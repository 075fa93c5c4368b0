import type { NewAuditEvent } from '../audit/audit-event';
import type { AgencyMode, AgencyModeSetting, MaintenanceWindow } from './domain/agency-mode';

export interface ModeChange {
  agencyCode: string;
  mode: AgencyMode;
  reason: string | null;
  window: MaintenanceWindow | null;
  changedBy: string;
  changedAt: Date;
}

/** Stored agency modes (table agency_modes); an agency without a row is in `auto`. */
export abstract class AgencyModeRepository {
  abstract all(): Promise<AgencyModeSetting[]>;
  /** Stores the mode and appends `event` in the same database transaction. */
  abstract setMode(change: ModeChange, event: NewAuditEvent): Promise<AgencyModeSetting>;
  abstract setReplayPaused(agencyCode: string, paused: boolean, event: NewAuditEvent): Promise<AgencyModeSetting>;
  /**
   * Takes (or renews) the agency's replay lease for `owner` when it is free, expired or already
   * its own. Only the holder replays, so the agency receives the backlog in order.
   */
  abstract acquireReplayLease(agencyCode: string, owner: string, leaseMs: number): Promise<boolean>;
  abstract releaseReplayLease(agencyCode: string, owner: string): Promise<void>;
}
