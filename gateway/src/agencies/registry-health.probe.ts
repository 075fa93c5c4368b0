import type { AgencyRegistry } from '../../../adapters/registry';
import type { BreakerState } from '../../../contracts/src/dispatch';
import { AgencyHealthProbe } from '../../../core/agencies/agency-health.port';
import type { Clock } from '../../../core/shared/clock';

/**
 * Binds the core's AgencyHealthProbe to the adapters' registry. "Open since" is the first open
 * after the breaker was last closed: a breaker cycling open → half-open → open is still one
 * outage, and `degraded` measures the outage, not the last cycle.
 */
export class RegistryHealthProbe extends AgencyHealthProbe {
  private readonly openSince = new Map<string, Date>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly registry: AgencyRegistry,
    private readonly clock: Clock,
  ) {
    super();
    this.unsubscribe = registry.onBreakerChange((agencyCode, state) => {
      if (state === 'closed') this.openSince.delete(agencyCode);
      else if (state === 'open' && !this.openSince.has(agencyCode)) this.openSince.set(agencyCode, this.clock.now());
    });
  }

  breakerOpenSince(agencyCode: string): Date | null {
    return this.breakerState(agencyCode) === 'closed' ? null : (this.openSince.get(agencyCode) ?? null);
  }

  breakerOpen(agencyCode: string): boolean {
    return this.breakerState(agencyCode) === 'open';
  }

  breakerState(agencyCode: string): BreakerState {
    return this.registry.breakerState(agencyCode);
  }

  async healthy(agencyCode: string): Promise<boolean> {
    return (await this.registry.health(agencyCode)).up;
  }

  close(): void {
    this.unsubscribe();
  }
}
