import { DEFAULT_REPLAY, type AgencyDefinition } from '../../../contracts/src/catalogue.types';
import type { AgencyModes } from '../../../core/agencies/agency-modes';
import type { TransactionRepository } from '../../../core/transactions/transaction.repository';

export interface AgencyModeView {
  /** What is stored: auto, manual or maintenance. */
  mode: string;
  /** What applies now: the stored mode, `auto` outside a maintenance window, or `degraded`. */
  effectiveMode: string;
  degraded: boolean;
  reason: string | null;
  window: { start: string; end: string } | null;
  changedBy: string | null;
  changedAt: string | null;
}

export interface ReplayView {
  paused: boolean;
  perSecond: number;
  backlog: number;
  replayed: number;
  failed: number;
  /** Seconds until the backlog is drained at the configured rate; null when there is none. */
  etaSeconds: number | null;
}

export async function agencyModeView(modes: AgencyModes, agencyCode: string): Promise<AgencyModeView> {
  const [setting, effective] = await Promise.all([modes.setting(agencyCode), modes.effective(agencyCode)]);
  return {
    mode: setting.mode,
    effectiveMode: effective,
    degraded: effective === 'degraded',
    reason: setting.reason,
    window: setting.window ? { start: setting.window.start.toISOString(), end: setting.window.end.toISOString() } : null,
    changedBy: setting.changedBy,
    changedAt: setting.changedAt?.toISOString() ?? null,
  };
}

export async function replayView(modes: AgencyModes, transactions: TransactionRepository, agency: AgencyDefinition): Promise<ReplayView> {
  const [setting, progress] = await Promise.all([modes.setting(agency.code), transactions.replayProgress(agency.code)]);
  const perSecond = (agency.replay ?? DEFAULT_REPLAY).perSecond;
  return {
    paused: setting.replayPaused,
    perSecond,
    ...progress,
    etaSeconds: progress.backlog > 0 ? Math.ceil(progress.backlog / perSecond) : null,
  };
}
