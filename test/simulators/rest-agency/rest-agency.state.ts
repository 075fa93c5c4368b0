/**
 * The simulated agency's memory and behaviour, without HTTP: the current mode, the
 * idempotency store (key → reference), the applications, and the counters tests assert on.
 */
export type RestAgencyMode = 'healthy' | 'slow' | 'flaky' | 'down' | 'hang' | 'reject';

export const REST_AGENCY_MODES: readonly RestAgencyMode[] = ['healthy', 'slow', 'flaky', 'down', 'hang', 'reject'];

export interface ResetOptions {
  keepNumbering?: boolean;
}

export interface ModeOptions {
  /** `slow`: how long each answer takes. Default 1000 ms. */
  delayMs?: number;
  /** `flaky`: every n-th call since the mode was set answers 503. Default 3. */
  failEvery?: number;
}

export interface RestAgencyStats {
  mode: RestAgencyMode;
  /** Submissions received (`POST /api/v1/...`), whatever was answered. */
  calls: number;
  /** Unique idempotency keys accepted = applications created. */
  accepted: number;
  /** Submissions answered with an existing application (same key again). */
  duplicates: number;
  /** Key → how many times it was answered "accepted" (1 + its duplicates). */
  byKey: Record<string, number>;
  /** Keys in the order their applications were created. */
  order: string[];
  /** Requests held open right now by `hang` mode. */
  hanging: number;
  /** Requests whose client went away before the answer (e.g. a caller's timeout aborted them). */
  aborted: number;
  /** Poisonous submissions answered 500. */
  poisoned: number;
}

export interface Application {
  reference: string;
  resource: string;
  status: 'accepted';
  receivedAt: string;
  fields: Record<string, unknown>;
}

/** What the agency does with a submission, decided before idempotency and business rules. */
export type Disruption = { kind: 'none' } | { kind: 'fail' } | { kind: 'hang' } | { kind: 'delay'; ms: number } | { kind: 'reject' };

export class RestAgencyState {
  mode: RestAgencyMode = 'healthy';
  delayMs = 1000;
  failEvery = 3;
  private failNextCount = 0;
  private callsInMode = 0;
  private sequence = 0;
  calls = 0;
  duplicates = 0;
  hanging = 0;
  aborted = 0;
  poisoned = 0;
  private readonly byKey = new Map<string, { reference: string; times: number }>();
  private readonly order: string[] = [];
  private readonly applications = new Map<string, Application>();

  constructor(
    private readonly referencePrefix: string,
    /** When set, every new application carries it (see RestAgencyOptions.fixedReference). */
    private readonly fixedReference?: string,
  ) {}

  setMode(mode: RestAgencyMode, opts: ModeOptions = {}): void {
    if (!REST_AGENCY_MODES.includes(mode)) throw new RangeError(`unknown mode ${String(mode)}`);
    if (opts.delayMs !== undefined) this.delayMs = nonNegativeInteger(opts.delayMs, 'delayMs');
    if (opts.failEvery !== undefined) this.failEvery = Math.max(1, nonNegativeInteger(opts.failEvery, 'failEvery'));
    this.mode = mode;
    this.callsInMode = 0;
  }

  failNext(n: number): void {
    this.failNextCount = nonNegativeInteger(n, 'failNext');
  }

  /** Counts a submission and decides what disturbs it, in this order: failNext, then the mode. */
  nextSubmission(): Disruption {
    this.calls++;
    this.callsInMode++;
    if (this.failNextCount > 0) {
      this.failNextCount--;
      return { kind: 'fail' };
    }
    return this.disruptionOfMode(this.callsInMode);
  }

  /** Status and health requests are disturbed by the mode too, but not counted as calls. */
  probeDisruption(): Disruption {
    if (this.mode === 'flaky' || this.mode === 'reject') return { kind: 'none' };
    return this.disruptionOfMode(0);
  }

  existing(idempotencyKey: string): Application | undefined {
    const entry = this.byKey.get(idempotencyKey);
    if (!entry) return undefined;
    entry.times++;
    this.duplicates++;
    return this.applications.get(entry.reference);
  }

  create(idempotencyKey: string, resource: string, fields: Record<string, unknown>): Application {
    this.sequence++;
    const reference = this.fixedReference ?? `${this.referencePrefix}-${String(this.sequence).padStart(6, '0')}`;
    const application: Application = { reference, resource, status: 'accepted', receivedAt: new Date().toISOString(), fields };
    this.applications.set(reference, application);
    this.byKey.set(idempotencyKey, { reference, times: 1 });
    this.order.push(idempotencyKey);
    return application;
  }

  application(reference: string): Application | undefined {
    return this.applications.get(reference);
  }

  stats(): RestAgencyStats {
    const byKey: Record<string, number> = {};
    for (const [key, entry] of this.byKey) byKey[key] = entry.times;
    return {
      mode: this.mode,
      calls: this.calls,
      accepted: this.byKey.size,
      duplicates: this.duplicates,
      byKey,
      order: [...this.order],
      hanging: this.hanging,
      aborted: this.aborted,
      poisoned: this.poisoned,
    };
  }

  /**
   * Back to a fresh, healthy agency with no applications. `keepNumbering`: new references carry on
   * from the last one, as a real agency's would (tests that share one database across resets).
   */
  reset(options: ResetOptions = {}): void {
    this.mode = 'healthy';
    this.delayMs = 1000;
    this.failEvery = 3;
    this.failNextCount = 0;
    this.callsInMode = 0;
    if (!options.keepNumbering) this.sequence = 0;
    this.calls = 0;
    this.duplicates = 0;
    this.aborted = 0;
    this.poisoned = 0;
    this.byKey.clear();
    this.order.length = 0;
    this.applications.clear();
  }

  private disruptionOfMode(callNumber: number): Disruption {
    switch (this.mode) {
      case 'healthy':
        return { kind: 'none' };
      case 'slow':
        return { kind: 'delay', ms: this.delayMs };
      case 'flaky':
        return callNumber > 0 && callNumber % this.failEvery === 0 ? { kind: 'fail' } : { kind: 'none' };
      case 'down':
        return { kind: 'fail' };
      case 'hang':
        return { kind: 'hang' };
      case 'reject':
        return { kind: 'reject' };
    }
  }
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
  return value;
}
