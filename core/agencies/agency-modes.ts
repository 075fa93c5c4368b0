import type { EventBus, BusMessage } from '../events/event-bus.port';
import type { Clock } from '../shared/clock';
import type { AgencyHealthProbe } from './agency-health.port';
import type { AgencyModeRepository } from './agency-mode.repository';
import { defaultSetting, effectiveMode, type AgencyModeSetting, type EffectiveMode } from './domain/agency-mode';

/**
 * Modes are read from PostgreSQL at most this long ago. A switch reaches the other replicas as an
 * event on the bus within milliseconds; this is the bound when that event is lost (Redis away).
 */
export const MODE_CACHE_MS = 1000;

/** The bus topic of "an agency's stored mode or replay pause changed: read it again". */
export const AGENCY_MODE_TOPIC = 'agency-modes';

export interface AgencyModesOptions {
  /** Tells the other processes of the deployment about a change, and hears theirs. */
  bus?: EventBus;
  cacheMs?: number;
}

/** A change heard from another process: the agency, and how long after it was published (by the two processes' clocks). */
export type ModeChangeHeard = (agencyCode: string, delayMs: number) => void;

/**
 * The agencies' modes as this process acts on them. Reads every agency's row in one query and
 * keeps it briefly; a switch made on any replica is published on the event bus, and every
 * replica that hears it reads the database again on its next decision (the database is the
 * source of truth; the event only says "read again", so a lost or repeated one is harmless).
 */
export class AgencyModes {
  private cached: { at: number; settings: Map<string, AgencyModeSetting> } | null = null;
  private loading: Promise<Map<string, AgencyModeSetting>> | null = null;
  /** Bumped by every invalidation: a read that began before one may not fill the cache after it. */
  private generation = 0;
  private readonly cacheMs: number;
  private readonly heardListeners = new Set<ModeChangeHeard>();

  constructor(
    private readonly repository: AgencyModeRepository,
    private readonly health: AgencyHealthProbe,
    private readonly clock: Clock,
    /** Agency code → how long an open breaker lasts before the agency counts as degraded. */
    private readonly degradedAfterMs: (agencyCode: string) => number,
    private readonly options: AgencyModesOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? MODE_CACHE_MS;
  }

  async setting(agencyCode: string): Promise<AgencyModeSetting> {
    return (await this.settings()).get(agencyCode) ?? defaultSetting(agencyCode);
  }

  async effective(agencyCode: string): Promise<EffectiveMode> {
    return this.known(agencyCode) ?? this.modeOf(agencyCode, await this.setting(agencyCode));
  }

  /**
   * `effective`, answered from what this process read less than MODE_CACHE_MS ago, without a
   * promise; undefined when that read is older (then `effective` reads again). The submit asks
   * this first: most of the time the agency is in `auto` and nothing need wait (issue 13).
   */
  known(agencyCode: string): EffectiveMode | undefined {
    const settings = this.fresh();
    return settings && this.modeOf(agencyCode, settings.get(agencyCode) ?? defaultSetting(agencyCode));
  }

  private modeOf(agencyCode: string, setting: AgencyModeSetting): EffectiveMode {
    return effectiveMode(setting, this.clock.now(), this.health.breakerOpenSince(agencyCode), this.degradedAfterMs(agencyCode));
  }

  /** The settings read less than cacheMs ago, or undefined. */
  private fresh(): Map<string, AgencyModeSetting> | undefined {
    return this.cached && Date.now() - this.cached.at < this.cacheMs ? this.cached.settings : undefined;
  }

  /** The next read goes to the database. */
  invalidate(): void {
    this.generation += 1;
    this.cached = null;
    this.loading = null;
  }

  /**
   * After this process changed an agency's stored setting (committed): read it again here, and
   * tell every other process to. A publish that fails changes nothing stored; the others then
   * see the change within MODE_CACHE_MS.
   */
  async changed(agencyCode: string): Promise<void> {
    this.invalidate();
    await this.options.bus?.publish(AGENCY_MODE_TOPIC, { agencyCode, sentAt: this.clock.now().toISOString() }).catch(() => undefined);
  }

  /** Starts hearing the other processes' changes (once, at start-up). */
  async listen(): Promise<void> {
    await this.options.bus?.subscribe(AGENCY_MODE_TOPIC, (message) => this.heard(message));
  }

  /** Calls `listener` for every change heard from the bus (metrics: how long propagation took). */
  onChangeHeard(listener: ModeChangeHeard): () => void {
    this.heardListeners.add(listener);
    return () => this.heardListeners.delete(listener);
  }

  private heard(message: BusMessage): void {
    this.invalidate();
    const { agencyCode, sentAt } = message;
    if (typeof agencyCode !== 'string' || typeof sentAt !== 'string') return;
    const delayMs = Math.max(0, this.clock.now().getTime() - Date.parse(sentAt));
    for (const listener of this.heardListeners) listener(agencyCode, delayMs);
  }

  private async settings(): Promise<Map<string, AgencyModeSetting>> {
    const fresh = this.fresh();
    if (fresh) return fresh;
    // One query in flight at a time, whatever the number of concurrent callers.
    if (this.loading) return this.loading;
    const generation = this.generation;
    const loading = this.repository
      .all()
      .then((rows) => {
        const settings = new Map(rows.map((row) => [row.agencyCode, row]));
        if (generation === this.generation) this.cached = { at: Date.now(), settings };
        return settings;
      })
      .finally(() => {
        if (this.loading === loading) this.loading = null;
      });
    this.loading = loading;
    return loading;
  }
}
