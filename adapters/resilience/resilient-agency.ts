/**
 * One agency behind its guards. A call goes through, in order:
 *   1. the breaker check  — open: `breaker_open` at once, nothing else is touched;
 *   2. the rate limiter   — a token now or within `rateLimitMaxWaitMs`, else `rate_limited`;
 *   3. the bulkhead       — a slot now, or a place in the bounded queue for at most the call's
 *                           timeout, else `bulkhead_full`;
 *   4. the breaker        — opossum counts thrown failures (half-open lets ONE real call through);
 *   5. the deadline       — `inlineTimeoutMs` or `timeoutMs`, aborting the agency call itself.
 * `dispatch` never throws: every failure becomes a `transient` outcome. Failures of the agency
 * call (not our own shedding: breaker_open, bulkhead_full, rate_limited) are remembered as
 * `lastFailure` for the operations view.
 */
import type { AgencyDefinition } from '../../contracts/src/catalogue.types';
import type { AgencyAppointmentAnswer, AgencyAppointmentRequest } from '../../contracts/src/appointments';
import type { AgencyHealth, AgencyOutcome, AgencyRequest, BreakerState, CallAdmission, TransientCode } from '../../contracts/src/dispatch';
import { AgencyCallError, type AgencyAdapter, type ApplicationStatus, type ProbeContext } from '../agency-adapter.port';
import { breakerStateOf, createAgencyBreaker, isBreakerRejection, type AgencyCircuitBreaker } from './agency-breaker';
import { Bulkhead } from './bulkhead';
import { sleep, withDeadline } from './deadline';
import { TokenBucket } from './token-bucket';

export type TransientOutcome = Extract<AgencyOutcome, { kind: 'transient' }>;

export interface DispatchOptions {
  /** The one attempt made while the caller waits: uses `resilience.inlineTimeoutMs`. */
  inline: boolean;
}

export interface AgencyFailure {
  code: TransientCode;
  reason: string;
  /** ISO-8601, UTC. */
  at: string;
}

export interface ResilientAgencyStats {
  inFlight: number;
  queued: number;
  breaker: BreakerState;
  /** When the breaker last opened (ISO-8601); absent while closed. */
  openedAt?: string;
  lastFailure?: AgencyFailure;
  lastSuccessAt?: string;
}

export type BreakerListener = (state: BreakerState, agencyCode: string) => void;

/** What the agency was asked: a submission, a status look-up, or an appointment reservation or cancellation. */
export type AgencyOperation = 'submit' | 'status' | 'reserve' | 'cancel';

/**
 * One call through the guards, told to observers after it ended (metrics, the per-call log line).
 * `outcome` is the result's kind (`accepted`, `rejected`, `pending`, `found`, …) or, for a
 * transient failure, its code (`timeout`, `breaker_open`, …): never a vendor status or body.
 */
export interface AgencyCallRecord {
  agencyCode: string;
  operation: AgencyOperation;
  outcome: string;
  inline: boolean;
  /** From the first guard to the answer, shedding included (a breaker_open call takes ~0 ms). */
  ms: number;
  correlationId?: string;
  transactionId?: string;
  /** The transient failure's reason (status codes and error codes only, see AgencyCallError). */
  reason?: string;
}

export type AgencyCallListener = (call: AgencyCallRecord) => void;

export interface ResilientAgencyOptions {
  /** Longest wait for a rate-limit token before answering `rate_limited`. Default 100 ms. */
  rateLimitMaxWaitMs?: number;
  /** Set when the adapter could not be built: every call answers `misconfigured` with it. */
  configProblem?: string;
  /** The caller's W3C trace context at the time of a call (tracing on), for the adapter to pass on. */
  traceparent?: () => string | undefined;
  now?: () => Date;
}

const DEFAULT_RATE_LIMIT_WAIT_MS = 100;

export class ResilientAgency {
  readonly code: string;
  readonly name: string;
  readonly kind: string;
  private readonly breaker: AgencyCircuitBreaker;
  private readonly bulkhead: Bulkhead;
  private readonly rateLimit: TokenBucket;
  private readonly rateLimitMaxWaitMs: number;
  private readonly now: () => Date;
  private readonly closing = new AbortController();
  private readonly listeners = new Set<BreakerListener>();
  private readonly callListeners = new Set<AgencyCallListener>();
  private openedAt?: string;
  /** Background calls admitted as the half-open breaker's trial and not yet done (see admit). */
  private trials = 0;
  private lastFailure?: AgencyFailure;
  /** A Date, written as ISO-8601 only when stats() is read: not a string made on every call. */
  private lastSuccess?: Date;

  constructor(
    readonly definition: AgencyDefinition,
    private readonly adapter: AgencyAdapter,
    private readonly options: ResilientAgencyOptions = {},
  ) {
    const policy = definition.resilience;
    this.code = definition.code;
    this.name = definition.name;
    this.kind = adapter.kind;
    this.now = options.now ?? (() => new Date());
    this.rateLimitMaxWaitMs = options.rateLimitMaxWaitMs ?? DEFAULT_RATE_LIMIT_WAIT_MS;
    this.bulkhead = new Bulkhead(policy.concurrency, policy.queueLimit);
    this.rateLimit = new TokenBucket(policy.rateLimit.perSecond, policy.rateLimit.burst);
    this.breaker = createAgencyBreaker(definition.code, policy.breaker);
    this.breaker.on('open', () => {
      this.openedAt = this.now().toISOString();
      this.notify('open');
    });
    this.breaker.on('halfOpen', () => {
      // A new trial period: its allowance is whole again, whatever an earlier one left behind.
      this.trials = 0;
      this.notify('half_open');
    });
    this.breaker.on('close', () => {
      this.openedAt = undefined;
      this.notify('closed');
    });
    if (options.configProblem) this.remember(new AgencyCallError('misconfigured', options.configProblem));
  }

  /** Submits one application. Never throws. */
  async dispatch(req: AgencyRequest, opts: DispatchOptions): Promise<AgencyOutcome> {
    const service = this.definition.services.find((s) => s.code === req.serviceCode);
    if (!service) {
      return notSent('misconfigured', `service ${req.serviceCode} is not offered by agency ${this.code}`);
    }
    const timeoutMs = this.timeoutFor(opts);
    const call = { operation: 'submit' as const, inline: opts.inline, correlationId: req.correlationId, transactionId: req.transactionId };
    return this.guarded(call, timeoutMs, (signal) => this.adapter.submit(req, this.traced({ signal, timeoutMs, service })));
  }

  /**
   * What `dispatch` would answer at once because the breaker is open (the same refusal, its next
   * trial included), without touching anything; null when a call would go through the guards.
   */
  refusing(): TransientOutcome | null {
    if (this.closing.signal.aborted || this.options.configProblem || !this.breaker.opened) return null;
    return this.breakerOpen();
  }

  /**
   * Whether a background call should start now (CallAdmission): the worker asks before it claims
   * a retry, so that while the breaker is open, or half-open with its trial in flight, the others
   * wait for the trial's end without being claimed, called or written. Half-open admits
   * HALF_OPEN_TRIALS callers (opossum lets one call through), each holding its place until done().
   */
  admit(): CallAdmission {
    if (this.closing.signal.aborted || this.options.configProblem) return GO;
    if (this.breaker.opened) return { kind: 'wait', retryAfterMs: this.breakerOpen().retryAfterMs ?? 0 };
    if (!this.breaker.halfOpen) return GO;
    if (this.trials >= HALF_OPEN_TRIALS) return { kind: 'wait', retryAfterMs: this.definition.resilience.breaker.resetTimeoutMs + BREAKER_RESET_SLACK_MS };
    this.trials += 1;
    let done = false;
    return {
      kind: 'go',
      done: () => {
        if (done) return;
        done = true;
        this.trials = Math.max(0, this.trials - 1);
      },
    };
  }

  /** True while admit() would answer `wait` (the breaker open, or its half-open trial taken). */
  waitingForTrial(): boolean {
    if (this.closing.signal.aborted || this.options.configProblem) return false;
    return this.breaker.opened || (this.breaker.halfOpen && this.trials >= HALF_OPEN_TRIALS);
  }

  /** Asks the agency what became of an application (reconciliation). Never throws. */
  async status(agencyRef: string, opts: DispatchOptions = { inline: false }): Promise<ApplicationStatus | TransientOutcome> {
    const timeoutMs = this.timeoutFor(opts);
    return this.guarded({ operation: 'status', inline: opts.inline }, timeoutMs, (signal) => this.adapter.status(agencyRef, this.traced({ signal, timeoutMs })));
  }

  /** The egress proxy the adapter reaches the agency through (without credentials), when it uses one. */
  get egressProxy(): string | undefined {
    return this.adapter.egressProxy;
  }

  /** Whether the agency keeps its own appointment system (the adapter's `appointments` capability). */
  get hasAppointments(): boolean {
    return this.adapter.appointments !== undefined;
  }

  /** Reserves in the agency's appointment system, through the breaker and the bulkhead. Never throws. */
  async reserveAppointment(request: AgencyAppointmentRequest, opts: DispatchOptions): Promise<AgencyAppointmentAnswer | TransientOutcome> {
    const appointments = this.adapter.appointments;
    if (!appointments) return transient('misconfigured', `agency ${this.code} has no appointment system`);
    const timeoutMs = this.timeoutFor(opts);
    return this.guarded({ operation: 'reserve', inline: opts.inline }, timeoutMs, (signal) => appointments.reserve(request, this.traced({ signal, timeoutMs })));
  }

  /** Cancels a reservation made by `reserveAppointment`. Never throws. */
  async cancelAppointment(agencyRef: string, opts: DispatchOptions): Promise<{ kind: 'cancelled' } | TransientOutcome> {
    const appointments = this.adapter.appointments;
    if (!appointments) return transient('misconfigured', `agency ${this.code} has no appointment system`);
    const timeoutMs = this.timeoutFor(opts);
    return this.guarded({ operation: 'cancel', inline: opts.inline }, timeoutMs, async (signal) => {
      await appointments.cancel(agencyRef, this.traced({ signal, timeoutMs }));
      return { kind: 'cancelled' as const };
    });
  }

  /** Probes the agency directly (not through the breaker or the bulkhead). Never throws. */
  async health(): Promise<AgencyHealth> {
    if (this.options.configProblem) return { up: false, latencyMs: 0, detail: `misconfigured: ${this.options.configProblem}` };
    const timeoutMs = this.definition.resilience.inlineTimeoutMs;
    const started = performance.now();
    try {
      return await withDeadline(timeoutMs, (signal) => this.adapter.health({ signal, timeoutMs }), this.closing.signal);
    } catch (error) {
      const failure = asCallError(error);
      return { up: false, latencyMs: Math.round(performance.now() - started), detail: `${failure.code}: ${failure.reason}` };
    }
  }

  breakerState(): BreakerState {
    return breakerStateOf(this.breaker);
  }

  stats(): ResilientAgencyStats {
    return {
      inFlight: this.bulkhead.inFlight,
      queued: this.bulkhead.queued,
      breaker: this.breakerState(),
      ...(this.openedAt && { openedAt: this.openedAt }),
      ...(this.lastFailure && { lastFailure: { ...this.lastFailure } }),
      ...(this.lastSuccess && { lastSuccessAt: this.lastSuccess.toISOString() }),
    };
  }

  /** Calls `listener` on every breaker transition; returns the unsubscribe function. */
  onBreakerChange(listener: BreakerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` after every call through the guards; returns the unsubscribe function. */
  onCall(listener: AgencyCallListener): () => void {
    this.callListeners.add(listener);
    return () => this.callListeners.delete(listener);
  }

  /** Aborts calls in flight, refuses new ones, stops the breaker's timers, closes the adapter. */
  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    this.bulkhead.close();
    this.breaker.shutdown();
    this.listeners.clear();
    this.callListeners.clear();
    await this.adapter.close();
  }

  private async guarded<T extends { kind: string }>(
    about: Omit<AgencyCallRecord, 'agencyCode' | 'outcome' | 'ms'>,
    timeoutMs: number,
    call: (signal: AbortSignal) => Promise<T>,
  ): Promise<T | TransientOutcome> {
    const started = performance.now();
    let result: T | TransientOutcome;
    try {
      result = await this.throughGuards(timeoutMs, call);
    } catch (error) {
      // Last net for a bug of ours: the promise of "never throws" holds even then.
      result = transient('unavailable', `unexpected error in the resilience layer (${error instanceof Error ? error.name : typeof error})`);
    }
    if (this.callListeners.size > 0) this.tell(this.callRecord(about, result, performance.now() - started));
    return result;
  }

  /**
   * Tells the call listeners (metrics, the agency-call log) of an inline submit recorded with the
   * refusal `refusing()` gave: the same call, refused by the open breaker, that dispatch tells.
   */
  refused(refusal: TransientOutcome, call: { correlationId?: string; transactionId: string }): void {
    if (this.callListeners.size === 0) return;
    this.tell(this.callRecord({ operation: 'submit', inline: true, correlationId: call.correlationId, transactionId: call.transactionId }, refusal, 0));
  }

  private callRecord(about: Omit<AgencyCallRecord, 'agencyCode' | 'outcome' | 'ms'>, result: { kind: string }, ms: number): AgencyCallRecord {
    const failed = result.kind === 'transient' ? (result as TransientOutcome) : undefined;
    // Written out field by field: spreading `about` and a conditional object cost more than the guards (issue 13).
    const record: AgencyCallRecord = { agencyCode: this.code, operation: about.operation, outcome: failed ? failed.code : result.kind, inline: about.inline, ms };
    if (about.correlationId !== undefined) record.correlationId = about.correlationId;
    if (about.transactionId !== undefined) record.transactionId = about.transactionId;
    if (failed) record.reason = failed.reason;
    return record;
  }

  private tell(record: AgencyCallRecord): void {
    for (const listener of this.callListeners) {
      try {
        listener(record);
      } catch {
        // Observers (metrics, logs) cannot fail a call.
      }
    }
  }

  private async throughGuards<T>(timeoutMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<T | TransientOutcome> {
    // Until the breaker fires the call, every answer is a refusal of our own: nothing was sent.
    if (this.closing.signal.aborted) return notSent('unavailable', 'agency client closed');
    if (this.options.configProblem) return notSent('misconfigured', this.options.configProblem);
    if (this.breaker.opened) return this.breakerOpen();

    const waitMs = this.rateLimit.reserve(this.rateLimitMaxWaitMs);
    if (waitMs === null) {
      return notSent('rate_limited', `more than ${this.definition.resilience.rateLimit.perSecond} calls per second`);
    }
    if (waitMs > 0) await sleep(waitMs);

    const release = await this.bulkhead.acquire(timeoutMs);
    if (!release) {
      if (this.closing.signal.aborted) return notSent('unavailable', 'agency client closed');
      const { concurrency, queueLimit } = this.definition.resilience;
      return notSent('bulkhead_full', `${concurrency} calls in flight and ${queueLimit} waiting`);
    }
    try {
      const result = (await this.breaker.fire(() => withDeadline(timeoutMs, call, this.closing.signal))) as T;
      this.lastSuccess = this.now();
      return result;
    } catch (error) {
      if (isBreakerRejection(error)) return this.breakerOpen();
      const failure = asCallError(error);
      this.remember(failure);
      // A fault the adapter found before any request left (AgencyCallError's notSent) sent nothing.
      return failure.notSent ? notSent(failure.code, failure.reason) : transient(failure.code, failure.reason);
    } finally {
      release();
    }
  }

  /**
   * Tells the caller when trying again could make sense: not before the breaker lets a trial call
   * through. Retrying sooner would only spend the transaction's attempts on refusals of our own.
   */
  private breakerOpen(): TransientOutcome {
    const resetMs = this.definition.resilience.breaker.resetTimeoutMs;
    if (this.breaker.halfOpen) return notSent('breaker_open', 'circuit half-open: a trial call is in progress', resetMs);
    const openedAt = this.openedAt ? Date.parse(this.openedAt) : this.now().getTime();
    // A little past the reset, so the retry finds the breaker half-open rather than a moment before.
    const retryAfterMs = Math.max(0, openedAt + resetMs - this.now().getTime()) + BREAKER_RESET_SLACK_MS;
    return notSent('breaker_open', `circuit open since ${this.openedAt ?? 'recently'}; next trial after ${resetMs} ms`, retryAfterMs);
  }

  /** The call's context with the caller's trace context when there is one: set on it, not spread in (issue 13). */
  private traced<C extends ProbeContext>(context: C): C {
    const traceparent = this.options.traceparent?.();
    if (traceparent) context.traceparent = traceparent;
    return context;
  }

  private timeoutFor(opts: DispatchOptions): number {
    const { inlineTimeoutMs, timeoutMs } = this.definition.resilience;
    return opts.inline ? inlineTimeoutMs : timeoutMs;
  }

  private remember(failure: AgencyCallError): void {
    this.lastFailure = { code: failure.code, reason: failure.reason, at: this.now().toISOString() };
  }

  private notify(state: BreakerState): void {
    for (const listener of this.listeners) {
      try {
        listener(state, this.code);
      } catch {
        // A faulty listener (metrics, SSE) must not break the breaker's bookkeeping.
      }
    }
  }
}

const BREAKER_RESET_SLACK_MS = 100;

/** Background calls admitted while half-open: opossum lets exactly one call through then. */
const HALF_OPEN_TRIALS = 1;

const GO: CallAdmission = { kind: 'go', done: () => undefined };

/** Built whole: `{ ...transient(…), retryAfterMs }` cost V8 a new hidden class on every refusal (issue 13). */
function transient(code: TransientCode, reason: string, retryAfterMs?: number): TransientOutcome {
  return retryAfterMs === undefined ? { kind: 'transient', code, reason } : { kind: 'transient', code, reason, retryAfterMs };
}

/** A refusal of our own, before any call (see AgencyOutcome's `notSent`). */
function notSent(code: TransientCode, reason: string, retryAfterMs?: number): TransientOutcome {
  return retryAfterMs === undefined ? { kind: 'transient', code, reason, notSent: true } : { kind: 'transient', code, reason, retryAfterMs, notSent: true };
}

/** Anything an adapter throws that is not an AgencyCallError is a bug: report it without its message. */
function asCallError(error: unknown): AgencyCallError {
  if (error instanceof AgencyCallError) return error;
  const name = error instanceof Error ? error.name : typeof error;
  return new AgencyCallError('unavailable', `unexpected adapter error (${name})`);
}
