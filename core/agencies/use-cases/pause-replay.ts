import type { Catalogue } from '../../../contracts/src/catalogue';
import { authorize, type Actor } from '../../authorization';
import type { Clock } from '../../shared/clock';
import type { AgencyModeRepository } from '../agency-mode.repository';
import type { AgencyModes } from '../agency-modes';
import type { AgencyModeSetting } from '../domain/agency-mode';
import { requireAgency } from './set-agency-mode';

/** POST /v1/agencies/{code}/replay/pause|resume: the worker stops (or restarts) replaying that agency's backlog. */
export class PauseReplay {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly repository: AgencyModeRepository,
    private readonly modes: AgencyModes,
    private readonly clock: Clock,
  ) {}

  async execute(agencyCode: string, paused: boolean, actor: Actor): Promise<AgencyModeSetting> {
    authorize(actor, 'agency.operate');
    requireAgency(this.catalogue, agencyCode);
    const setting = await this.repository.setReplayPaused(agencyCode, paused, {
      entityType: 'agency',
      entityId: agencyCode,
      type: paused ? 'replay_paused' : 'replay_resumed',
      actor: actor.subject,
      data: {},
      occurredAt: this.clock.now(),
    });
    await this.modes.changed(agencyCode);
    return setting;
  }
}
