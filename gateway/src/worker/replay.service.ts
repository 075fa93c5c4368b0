import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DEFAULT_REPLAY, type AgencyDefinition } from '../../../contracts/src/catalogue.types';
import { AgencyHealthProbe } from '../../../core/agencies/agency-health.port';
import { AgencyModeRepository } from '../../../core/agencies/agency-mode.repository';
import { AgencyModes } from '../../../core/agencies/agency-modes';
import { FallbackRepository } from '../../../core/transactions/fallback.repository';
import { ReplayStoredTransactions } from '../../../core/transactions/use-cases/replay-stored';
import { Catalogue } from '../../../contracts/src/catalogue';

/** How often an idle agency is looked at again (mode cache is 1 s, so a switch is seen within ~1.5 s). */
const IDLE_MS = 500;
/** Longest back-off after a transient failure during replay. */
const MAX_DEFER_MS = 10_000;

/**
 * Replays each agency's store-and-forward backlog when the agency is back: mode `auto` (or
 * degraded, once the breaker lets a trial through), replay not paused, breaker not open and its
 * health check passing. One loop per
 * agency in this process; across processes, the agency's replay lease in PostgreSQL lets one
 * replayer at a time send (FIFO at the agency), at the agency's `replay.perSecond`. All state
 * is in the database, so a killed worker's successor carries on where it stopped.
 */
@Injectable()
export class ReplayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Replay');
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly loops: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();
  private stopping = false;

  constructor(
    private readonly catalogue: Catalogue,
    private readonly modes: AgencyModes,
    private readonly leases: AgencyModeRepository,
    private readonly health: AgencyHealthProbe,
    private readonly fallbacks: FallbackRepository,
    private readonly replay: ReplayStoredTransactions,
  ) {}

  onApplicationBootstrap(): void {
    for (const agency of this.catalogue.agencies) this.loops.push(this.loop(agency));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const wake of this.wakers) wake();
    await Promise.all(this.loops);
  }

  private async loop(agency: AgencyDefinition): Promise<void> {
    while (!this.stopping) {
      let worked = false;
      try {
        worked = await this.session(agency);
      } catch (error) {
        if (!this.stopping) this.logger.warn(`replay of ${agency.code} failed, will try again: ${(error as Error).message}`);
      }
      if (!worked) await this.sleep(IDLE_MS);
    }
  }

  /** One replay session under the agency's lease; true when it replayed something. */
  private async session(agency: AgencyDefinition): Promise<boolean> {
    if (!(await this.ready(agency.code)) || !(await this.fallbacks.hasBacklog(agency.code))) return false;
    const leaseMs = agency.resilience.timeoutMs + 5000;
    if (!(await this.leases.acquireReplayLease(agency.code, this.owner, leaseMs))) return false;
    let replayed = 0;
    try {
      if (!(await this.health.healthy(agency.code))) return false;
      const intervalMs = 1000 / (agency.replay ?? DEFAULT_REPLAY).perSecond;
      let due = Date.now();
      while (!this.stopping && (await this.ready(agency.code))) {
        await this.sleep(due - Date.now());
        if (this.stopping) break;
        // Pace at the configured rate; a slow call does not earn a burst afterwards.
        due = Math.max(due + intervalMs, Date.now());
        const step = await this.replay.replayNext(agency.code, this.owner, leaseMs);
        if (step.kind === 'idle') break;
        if (step.kind === 'deferred') {
          await this.sleep(Math.min(MAX_DEFER_MS, Math.max(IDLE_MS, step.retryAfterMs ?? 1000)));
          break;
        }
        replayed++;
      }
    } finally {
      await this.leases.releaseReplayLease(agency.code, this.owner).catch(() => undefined);
      if (replayed > 0) this.logger.log(`replayed ${replayed} stored transaction(s) to ${agency.code}`);
    }
    return replayed > 0;
  }

  private async ready(agencyCode: string): Promise<boolean> {
    const [mode, setting] = await Promise.all([this.modes.effective(agencyCode), this.modes.setting(agencyCode)]);
    // `degraded` is auto with a long-open breaker: once it is half-open, the replay is the trial call.
    return (mode === 'auto' || mode === 'degraded') && !setting.replayPaused && !this.health.breakerOpen(agencyCode);
  }

  /** A wait that ends early when the application shuts down. */
  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}
