import { DEFAULT_REPLAY, type AgencyDefinition } from '../../../contracts/src/catalogue.types';
import type { AgencyModes } from '../../../core/agencies/agency-modes';
import type { TransactionRepository } from '../../../core/transactions/transaction.repository';
import type { Agency } from '../../../contracts/src/message.types';
import { replayEtaSeconds } from '../../../core/transactions/domain/replay-progress';

/** What is stored (auto, manual, maintenance) and what applies now (that, `auto` outside a maintenance window, or `degraded`). */
export type AgencyModeView = Agency['modeSetting'];

/** Replay of the stored backlog, as the detail view shows it (the list view keeps paused and backlog). */
export type ReplayView = Required<Agency['replay']>;

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

export async function replayView(modes: AgencyModes, transactions: TransactionRepository, agency: AgencyDefinition, now: Date): Promise<ReplayView> {
  const [setting, { recent, ...progress }] = await Promise.all([modes.setting(agency.code), transactions.replayProgress(agency.code, now)]);
  const perSecond = (agency.replay ?? DEFAULT_REPLAY).perSecond;
  const etaSeconds = progress.backlog > 0 ? replayEtaSeconds(progress.backlog, recent) : null;
  return { paused: setting.replayPaused, perSecond, ...progress, etaSeconds };
}
