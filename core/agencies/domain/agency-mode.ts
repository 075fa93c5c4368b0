/**
 * An agency's mode (DESIGN.md "Manual fallback"):
 * - `auto`: transactions go to the agency; an agency whose breaker has stayed open longer than
 *   its `degradedAfterMs` is reported `degraded` and its services apply their fallback policy;
 * - `manual`: an operator forced the paper process, with a reason;
 * - `maintenance`: a scheduled window; outside it the agency is in `auto`.
 */
export const AGENCY_MODES = ['auto', 'manual', 'maintenance'] as const;
export type AgencyMode = (typeof AGENCY_MODES)[number];

/** What callers act on: the stored mode, resolved against the clock and the breaker. */
export type EffectiveMode = AgencyMode | 'degraded';

export interface MaintenanceWindow {
  start: Date;
  end: Date;
}

export interface AgencyModeSetting {
  agencyCode: string;
  mode: AgencyMode;
  reason: string | null;
  window: MaintenanceWindow | null;
  changedBy: string | null;
  changedAt: Date | null;
  replayPaused: boolean;
}

export function defaultSetting(agencyCode: string): AgencyModeSetting {
  return { agencyCode, mode: 'auto', reason: null, window: null, changedBy: null, changedAt: null, replayPaused: false };
}

export function effectiveMode(setting: AgencyModeSetting, now: Date, breakerOpenSince: Date | null, degradedAfterMs: number): EffectiveMode {
  if (setting.mode === 'manual') return 'manual';
  if (setting.mode === 'maintenance' && setting.window && now >= setting.window.start && now < setting.window.end) return 'maintenance';
  if (breakerOpenSince && now.getTime() - breakerOpenSince.getTime() >= degradedAfterMs) return 'degraded';
  return 'auto';
}

/** Modes in which services apply their fallback policy instead of calling the agency. */
export function fallsBack(mode: EffectiveMode): boolean {
  return mode !== 'auto';
}

/** A service's availability now: what a request would meet, and until when (issue 10, "availability before the form"). */
export interface ServiceAvailability {
  agencyMode: EffectiveMode;
  /** The fallback policy a request meets now; null while the agency is in `auto`. */
  appliedFallback: 'store-and-forward' | 'manual' | 'reject' | null;
  /** The end of the maintenance window the agency is in; null otherwise. */
  until: Date | null;
}

export function serviceAvailability(
  fallback: NonNullable<ServiceAvailability['appliedFallback']>,
  mode: EffectiveMode,
  setting: Pick<AgencyModeSetting, 'window'>,
): ServiceAvailability {
  return {
    agencyMode: mode,
    appliedFallback: fallsBack(mode) ? fallback : null,
    until: mode === 'maintenance' && setting.window ? setting.window.end : null,
  };
}
