/**
 * The port every adapter kind (rest, soap, file-drop, or an agency's own code module)
 * implements. Adapters RETURN business outcomes and THROW `AgencyCallError` for anything
 * transient, so that the circuit breaker around them counts exactly the failures that say
 * "the agency (or our link to it) is not working" and never a citizen's rejected application.
 */
import type { AgencyHealth, AgencyOutcome, AgencyRequest, TransientCode } from '../contracts/src/dispatch';
import type { AgencyDefinition, ServiceDefinition } from '../contracts/src/catalogue.types';
import type { AgencyAppointmentAnswer, AgencyAppointmentRequest } from '../contracts/src/appointments';
import type { Dispatcher } from 'undici';

/** What a probe (health, status look-up) gets: a signal that is aborted at the deadline. */
export interface ProbeContext {
  /**
   * The port's promise: aborted at the call's deadline (`timeoutMs` after the call began) at the
   * latest, and sooner when the agency client closes. ResilientAgency, the one place that calls an
   * adapter, keeps it (withDeadline). So an adapter hands this signal to whatever it waits on and
   * needs no timer of its own.
   */
  signal: AbortSignal;
  /** The deadline `signal` keeps, for the adapter's messages ("no answer within … ms"); not to be timed again. */
  timeoutMs: number;
  /**
   * The W3C trace context of the call (`00-<trace-id>-<span-id>-<flags>`) when tracing is on: the
   * adapter hands it to the agency in its own way (an HTTP header, a field of the request file).
   */
  traceparent?: string;
}

/** What a submission gets: the probe context plus the service being asked for. */
export interface CallContext extends ProbeContext {
  service: ServiceDefinition;
}

/** The outcomes an adapter may return from `submit`; transient ones are thrown instead. */
export type SubmitResult = Exclude<AgencyOutcome, { kind: 'transient' }>;

/** What the agency knows of an application we submitted earlier (for reconciliation). */
export type ApplicationStatus =
  | { kind: 'found'; agencyRef: string; state: string; result?: Record<string, unknown> }
  | { kind: 'not_found'; agencyRef: string };

export interface AgencyAdapter {
  /** The adapter kind from the agency file (`rest`, `soap`, `file-drop`, ...). */
  readonly kind: string;
  submit(req: AgencyRequest, ctx: CallContext): Promise<SubmitResult>;
  status(agencyRef: string, ctx: ProbeContext): Promise<ApplicationStatus>;
  health(ctx: ProbeContext): Promise<AgencyHealth>;
  /** Releases sockets, agents, watchers. Idempotent. */
  close(): Promise<void>;
  /** Present when the agency keeps its own appointment system (optional capability). */
  readonly appointments?: AgencyAppointments;
  /** The egress proxy (`scheme://host:port`, never credentials) the adapter's HTTP goes through, when it does. */
  readonly egressProxy?: string;
}

/**
 * Reserving and cancelling in an agency's own appointment system. Refusals are returned;
 * anything transient is thrown as an `AgencyCallError`, as for `submit`.
 */
export interface AgencyAppointments {
  reserve(request: AgencyAppointmentRequest, ctx: ProbeContext): Promise<AgencyAppointmentAnswer>;
  /** Done when the agency no longer holds it (an unknown reference counts as cancelled). */
  cancel(agencyRef: string, ctx: ProbeContext): Promise<void>;
}

/** AgencyCallError's `notSent`, named where it is thrown: `new AgencyCallError(code, reason, NOT_SENT)`. */
export const NOT_SENT = true;

/**
 * A transient failure: transport error, 5xx, timeout, unusable answer, or a configuration
 * fault of ours. `reason` is for operators: it names status codes and error codes, never
 * response bodies, headers or secrets. `notSent`: thrown before any request left (a configuration
 * fault found before the call), so the outcome carries AgencyOutcome's `notSent` and no `sentAt`.
 */
export class AgencyCallError extends Error {
  constructor(
    readonly code: TransientCode,
    readonly reason: string,
    readonly notSent = false,
  ) {
    super(`${code}: ${reason}`);
    this.name = 'AgencyCallError';
  }
}

export interface AdapterFactoryOptions {
  /** Where secrets and `baseUrlEnv` are read from. */
  env: NodeJS.ProcessEnv;
  /** Replaces the agency file's endpoint (the embedded demo runs simulators on random ports). */
  endpointOverride?: string;
  /**
   * What HTTP adapters send through instead of the pool they open per agency: undici's MockAgent
   * in the adapters' unit specs. Never set in the gateway.
   */
  httpDispatcher?: Dispatcher;
}

/**
 * Builds the adapter for one agency from its declarative definition. Throws (preferably an
 * `AgencyCallError('misconfigured', ...)`) when the definition or its environment is unusable;
 * the registry then keeps the agency listed as misconfigured instead of failing the boot.
 */
export type AdapterFactory = (agency: AgencyDefinition, opts: AdapterFactoryOptions) => AgencyAdapter;
