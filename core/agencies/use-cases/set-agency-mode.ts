import type { Catalogue } from '../../../contracts/src/catalogue';
import type { AgencyModeChange } from '../../../contracts/src/message.types';
import { authorize, type Actor } from '../../authorization';
import { DomainError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import type { AgencyModeRepository } from '../agency-mode.repository';
import type { AgencyModes } from '../agency-modes';
import type { AgencyMode, AgencyModeSetting, MaintenanceWindow } from '../domain/agency-mode';

export interface SetAgencyModeCommand {
  agencyCode: string;
  /** Valid against agency-mode-change.v1.json (checked at the edge). */
  change: AgencyModeChange;
  actor: Actor;
}

/**
 * PUT /v1/agencies/{code}/mode (operator, admin): `{mode, reason, window?: {start, end}}`.
 * A reason is required for every switch (the audit log says why); maintenance needs its window.
 * The schema says all that; what it cannot say is that a window ends after it starts.
 */
export class SetAgencyMode {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly repository: AgencyModeRepository,
    private readonly modes: AgencyModes,
    private readonly clock: Clock,
  ) {}

  async execute(command: SetAgencyModeCommand): Promise<AgencyModeSetting> {
    authorize(command.actor, 'agency.operate');
    requireAgency(this.catalogue, command.agencyCode);
    const { mode, reason, window } = modeChange(command.change);
    const before = await this.modes.setting(command.agencyCode);
    const now = this.clock.now();
    const setting = await this.repository.setMode(
      { agencyCode: command.agencyCode, mode, reason, window, changedBy: command.actor.subject, changedAt: now },
      {
        entityType: 'agency',
        entityId: command.agencyCode,
        type: 'mode_changed',
        actor: command.actor.subject,
        data: {
          from: before.mode,
          to: mode,
          reason,
          ...(window && { windowStart: window.start.toISOString(), windowEnd: window.end.toISOString() }),
        },
        occurredAt: now,
      },
    );
    await this.modes.changed(command.agencyCode);
    return setting;
  }
}

export function requireAgency(catalogue: Catalogue, agencyCode: string): void {
  if (!catalogue.agency(agencyCode)) throw new DomainError('not_found', 'agency-not-found', `No agency ${agencyCode}; see GET /v1/agencies.`);
}

function modeChange(change: AgencyModeChange): { mode: AgencyMode; reason: string; window: MaintenanceWindow | null } {
  const window = change.window ? { start: new Date(change.window.start), end: new Date(change.window.end) } : null;
  if (window && window.end <= window.start) {
    throw new DomainError('invalid', 'validation-failed', 'The mode change is not valid; see `errors`.', {
      errors: [{ field: '/window/end', message: 'must be after /window/start' }],
    });
  }
  return { mode: change.mode, reason: change.reason.trim(), window };
}
