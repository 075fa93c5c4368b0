import type { Catalogue } from '../../../contracts/src/catalogue';
import type { FieldError } from '../../../contracts/src/field-error';
import { DomainError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import { isStorableText, NOT_STORABLE_MESSAGE } from '../../shared/storable-text';
import type { AgencyModeRepository } from '../agency-mode.repository';
import type { AgencyModes } from '../agency-modes';
import { AGENCY_MODES, type AgencyMode, type AgencyModeSetting, type MaintenanceWindow } from '../domain/agency-mode';

export interface SetAgencyModeCommand {
  agencyCode: string;
  body: unknown;
  actor: string;
}

/**
 * PUT /v1/agencies/{code}/mode (operator, admin): `{mode, reason, window?: {start, end}}`.
 * A reason is required for every switch (the audit log says why); maintenance needs its window.
 */
export class SetAgencyMode {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly repository: AgencyModeRepository,
    private readonly modes: AgencyModes,
    private readonly clock: Clock,
  ) {}

  async execute(command: SetAgencyModeCommand): Promise<AgencyModeSetting> {
    requireAgency(this.catalogue, command.agencyCode);
    const { mode, reason, window } = parse(command.body);
    const before = await this.modes.setting(command.agencyCode);
    const now = this.clock.now();
    const setting = await this.repository.setMode(
      { agencyCode: command.agencyCode, mode, reason, window, changedBy: command.actor, changedAt: now },
      {
        entityType: 'agency',
        entityId: command.agencyCode,
        type: 'mode_changed',
        actor: command.actor,
        data: {
          from: before.mode,
          to: mode,
          reason,
          ...(window && { windowStart: window.start.toISOString(), windowEnd: window.end.toISOString() }),
        },
        occurredAt: now,
      },
    );
    this.modes.invalidate();
    return setting;
  }
}

export function requireAgency(catalogue: Catalogue, agencyCode: string): void {
  if (!catalogue.agency(agencyCode)) throw new DomainError('not_found', 'agency-not-found', `No agency ${agencyCode}; see GET /v1/agencies.`);
}

function parse(body: unknown): { mode: AgencyMode; reason: string; window: MaintenanceWindow | null } {
  const errors: FieldError[] = [];
  const input = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!['mode', 'reason', 'window'].includes(key)) errors.push({ field: `/${key}`, message: 'is not a known field' });
  }
  const mode = input.mode as AgencyMode;
  if (!AGENCY_MODES.includes(mode)) errors.push({ field: '/mode', message: `must be one of ${AGENCY_MODES.join(', ')}` });
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (reason.length < 3 || reason.length > 500) errors.push({ field: '/reason', message: 'must say why, in 3 to 500 characters' });
  else if (!isStorableText(reason)) errors.push({ field: '/reason', message: NOT_STORABLE_MESSAGE });
  let window: MaintenanceWindow | null = null;
  if (mode === 'maintenance') {
    const raw = (input.window ?? {}) as Record<string, unknown>;
    const start = typeof raw.start === 'string' ? new Date(raw.start) : new Date(NaN);
    const end = typeof raw.end === 'string' ? new Date(raw.end) : new Date(NaN);
    if (Number.isNaN(start.getTime())) errors.push({ field: '/window/start', message: 'must be an ISO-8601 date-time' });
    if (Number.isNaN(end.getTime())) errors.push({ field: '/window/end', message: 'must be an ISO-8601 date-time' });
    else if (!Number.isNaN(start.getTime()) && end <= start) errors.push({ field: '/window/end', message: 'must be after /window/start' });
    window = { start, end };
  } else if (input.window !== undefined) {
    errors.push({ field: '/window', message: 'is only for mode maintenance' });
  }
  if (errors.length > 0) throw new DomainError('invalid', 'validation-failed', 'The mode change is not valid; see `errors`.', { errors });
  return { mode, reason, window };
}
