import type { Clock } from '../shared/clock';
import type { AgencyHealthProbe } from './agency-health.port';
import type { AgencyModeRepository } from './agency-mode.repository';
import { defaultSetting, effectiveMode, type AgencyModeSetting, type EffectiveMode } from './domain/agency-mode';

/** Modes are read from PostgreSQL at most this long ago: every replica sees a switch within a second. */
export const MODE_CACHE_MS = 1000;

/**
 * The agencies' modes as this process acts on them. Reads every agency's row in one query and
 * keeps it for under a second, so a switch made on any replica takes effect everywhere within a
 * second without an event bus (the database is the source of truth either way).
 */
export class AgencyModes {
  private cached: { at: number; settings: Map<string, AgencyModeSetting> } | null = null;
  private loading: Promise<Map<string, AgencyModeSetting>> | null = null;

  constructor(
    private readonly repository: AgencyModeRepository,
    private readonly health: AgencyHealthProbe,
    private readonly clock: Clock,
    /** Agency code → how long an open breaker lasts before the agency counts as degraded. */
    private readonly degradedAfterMs: (agencyCode: string) => number,
    private readonly cacheMs = MODE_CACHE_MS,
  ) {}

  async setting(agencyCode: string): Promise<AgencyModeSetting> {
    return (await this.settings()).get(agencyCode) ?? defaultSetting(agencyCode);
  }

  async effective(agencyCode: string): Promise<EffectiveMode> {
    const setting = await this.setting(agencyCode);
    return effectiveMode(setting, this.clock.now(), this.health.breakerOpenSince(agencyCode), this.degradedAfterMs(agencyCode));
  }

  /** After a local change: the next read goes to the database. */
  invalidate(): void {
    this.cached = null;
  }

  private async settings(): Promise<Map<string, AgencyModeSetting>> {
    if (this.cached && Date.now() - this.cached.at < this.cacheMs) return this.cached.settings;
    // One query in flight at a time, whatever the number of concurrent callers.
    this.loading ??= this.repository
      .all()
      .then((rows) => {
        const settings = new Map(rows.map((row) => [row.agencyCode, row]));
        this.cached = { at: Date.now(), settings };
        return settings;
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }
}
