/**
 * All configured agencies, each behind its own guards (breaker, bulkhead, rate limit), so
 * that one slow or broken agency never takes capacity from another. Built once from the
 * catalogue. An agency whose adapter cannot be built (unknown kind, missing secret, bad
 * mapping) stays listed, answers `misconfigured`, and shows why in `list()`: one bad agency
 * file must not stop the counters of the other thirty-three.
 */
import type { AgencyDefinition } from '../contracts/src/catalogue.types';
import type { AgencyHealth, AgencyOutcome, AgencyRequest, BreakerState, CallAdmission } from '../contracts/src/dispatch';
import { defaultAdapterKinds, type AdapterKinds } from './adapter-kinds';
import { AgencyCallError, type AdapterFactoryOptions, type AgencyAdapter, type ApplicationStatus } from './agency-adapter.port';
import {
  ResilientAgency,
  type AgencyCallListener,
  type AgencyFailure,
  type DispatchOptions,
  type ResilientAgencyOptions,
  type TransientOutcome,
} from './resilience/resilient-agency';

export interface AgencyRegistryOptions {
  /** Agency code → base URL, replacing the agency file's endpoint (embedded demo, tests). */
  endpointOverrides?: Record<string, string>;
  /** Where secrets and `baseUrlEnv` are read from. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Default: `defaultAdapterKinds()` (rest). */
  adapterKinds?: AdapterKinds;
  rateLimitMaxWaitMs?: ResilientAgencyOptions['rateLimitMaxWaitMs'];
  /** The W3C trace context of the current call, when tracing is on (the gateway's tracing). */
  traceparent?: ResilientAgencyOptions['traceparent'];
  /** See AdapterFactoryOptions.httpDispatcher (unit specs only). */
  httpDispatcher?: AdapterFactoryOptions['httpDispatcher'];
}

export interface AgencyStatus {
  code: string;
  name: string;
  kind: string;
  breaker: BreakerState;
  inFlight: number;
  queued: number;
  lastFailure?: AgencyFailure;
}

export type AgencyBreakerListener = (agencyCode: string, state: BreakerState) => void;

export class UnknownAgencyError extends Error {
  constructor(readonly agencyCode: string) {
    super(`unknown agency ${agencyCode}`);
    this.name = 'UnknownAgencyError';
  }
}

export class AgencyRegistry {
  private readonly agencies = new Map<string, ResilientAgency>();
  private readonly breakerListeners = new Set<AgencyBreakerListener>();
  private readonly callListeners = new Set<AgencyCallListener>();

  constructor(definitions: readonly AgencyDefinition[], options: AgencyRegistryOptions = {}) {
    const kinds = options.adapterKinds ?? defaultAdapterKinds();
    const env = options.env ?? process.env;
    const codes = definitions.map((d) => d.code);
    const twice = codes.find((code, index) => codes.indexOf(code) !== index);
    if (twice !== undefined) throw new Error(`agency ${twice} is defined twice`);
    for (const definition of definitions) {
      const { adapter, configProblem } = buildAdapter(definition, kinds, {
        env,
        endpointOverride: options.endpointOverrides?.[definition.code],
        httpDispatcher: options.httpDispatcher,
      });
      const agency = new ResilientAgency(definition, adapter, { configProblem, rateLimitMaxWaitMs: options.rateLimitMaxWaitMs, traceparent: options.traceparent });
      agency.onBreakerChange((state, code) => this.breakerChanged(code, state));
      agency.onCall((call) => tellEach(this.callListeners, (listener) => listener(call)));
      this.agencies.set(definition.code, agency);
    }
  }

  /** Submits to one agency. Never throws: an unknown agency is `transient/misconfigured`. */
  async dispatch(agencyCode: string, req: AgencyRequest, opts: DispatchOptions): Promise<AgencyOutcome> {
    const agency = this.agencies.get(agencyCode);
    if (!agency) return unknownAgency(agencyCode);
    return agency.dispatch(req, opts);
  }

  /** The agency's breaker refusal, when its breaker is open now (no call is made); else null. */
  refusing(agencyCode: string): AgencyOutcome | null {
    return this.agencies.get(agencyCode)?.refusing() ?? null;
  }

  /** Tells the agency's call listeners of an inline submit recorded with its `refusing()` refusal (see ResilientAgency.refused). */
  refused(agencyCode: string, refusal: AgencyOutcome, call: { correlationId?: string; transactionId: string }): void {
    if (refusal.kind === 'transient') this.agencies.get(agencyCode)?.refused(refusal, call);
  }

  /** Whether a background call to the agency should start now (see ResilientAgency.admit); an unknown agency: go (its call answers). */
  admit(agencyCode: string): CallAdmission {
    return this.agencies.get(agencyCode)?.admit() ?? { kind: 'go', done: () => undefined };
  }

  /** The agencies whose background calls wait for their breaker's trial now. */
  waitingForTrial(): string[] {
    return [...this.agencies.values()].filter((agency) => agency.waitingForTrial()).map((agency) => agency.code);
  }

  /** Asks one agency about an earlier application. Never throws. */
  async status(agencyCode: string, agencyRef: string, opts?: DispatchOptions): Promise<ApplicationStatus | TransientOutcome> {
    const agency = this.agencies.get(agencyCode);
    if (!agency) return unknownAgency(agencyCode);
    return agency.status(agencyRef, opts);
  }

  /** Probes one agency. Never throws. */
  async health(agencyCode: string): Promise<AgencyHealth> {
    const agency = this.agencies.get(agencyCode);
    if (!agency) return { up: false, latencyMs: 0, detail: `unknown agency ${agencyCode}` };
    return agency.health();
  }

  has(agencyCode: string): boolean {
    return this.agencies.has(agencyCode);
  }

  /** @throws UnknownAgencyError */
  agency(agencyCode: string): ResilientAgency {
    const agency = this.agencies.get(agencyCode);
    if (!agency) throw new UnknownAgencyError(agencyCode);
    return agency;
  }

  /** One agency's breaker, without building `list()` (asked on every submit); an unknown agency's is `closed`. */
  breakerState(agencyCode: string): BreakerState {
    return this.agencies.get(agencyCode)?.breakerState() ?? 'closed';
  }

  /** Agency code → the egress proxy it is reached through (without credentials), for agencies that use one. */
  egressProxies(): Record<string, string> {
    const proxies: Record<string, string> = {};
    for (const agency of this.agencies.values()) if (agency.egressProxy) proxies[agency.code] = agency.egressProxy;
    return proxies;
  }

  list(): AgencyStatus[] {
    return [...this.agencies.values()].map((agency) => {
      const stats = agency.stats();
      return {
        code: agency.code,
        name: agency.name,
        kind: agency.kind,
        breaker: stats.breaker,
        inFlight: stats.inFlight,
        queued: stats.queued,
        ...(stats.lastFailure && { lastFailure: stats.lastFailure }),
      };
    });
  }

  /** Every breaker transition of every agency; returns the unsubscribe function. */
  onBreakerChange(listener: AgencyBreakerListener): () => void {
    this.breakerListeners.add(listener);
    return () => this.breakerListeners.delete(listener);
  }

  /** Every call to every agency, after it ended (metrics, the per-call log line); returns the unsubscribe function. */
  onCall(listener: AgencyCallListener): () => void {
    this.callListeners.add(listener);
    return () => this.callListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.breakerListeners.clear();
    this.callListeners.clear();
    await Promise.all([...this.agencies.values()].map((agency) => agency.close()));
  }

  private breakerChanged(agencyCode: string, state: BreakerState): void {
    tellEach(this.breakerListeners, (listener) => listener(agencyCode, state));
  }
}

/** Listeners are observers (metrics, logs, live dashboards): one failing stops neither the others nor the call. */
function tellEach<L>(listeners: ReadonlySet<L>, tell: (listener: L) => void): void {
  for (const listener of listeners) {
    try {
      tell(listener);
    } catch {
      // the observer's own problem
    }
  }
}

function buildAdapter(
  definition: AgencyDefinition,
  kinds: AdapterKinds,
  opts: AdapterFactoryOptions,
): { adapter: AgencyAdapter; configProblem?: string } {
  const kind = definition.adapter.kind;
  const factory = kinds.factoryFor(kind);
  if (!factory) return misconfiguredAdapter(kind, `no adapter is registered for kind "${kind}"`);
  try {
    return { adapter: factory(definition, opts) };
  } catch (error) {
    const reason = error instanceof AgencyCallError ? error.reason : `the ${kind} adapter could not be built (${(error as Error).name})`;
    return misconfiguredAdapter(kind, reason);
  }
}

/** Stands in for an adapter that could not be built; ResilientAgency never calls it (configProblem). */
function misconfiguredAdapter(kind: string, reason: string): { adapter: AgencyAdapter; configProblem: string } {
  const fail = async (): Promise<never> => {
    throw new AgencyCallError('misconfigured', reason);
  };
  return {
    configProblem: reason,
    adapter: { kind, submit: fail, status: fail, health: fail, close: async () => undefined },
  };
}

function unknownAgency(agencyCode: string): TransientOutcome {
  return { kind: 'transient', code: 'misconfigured', reason: `unknown agency ${agencyCode}`, notSent: true };
}
