/**
 * Agency definitions and requests for adapter specs and integration tests, shaped like the
 * catalogue loader's output, with small timeouts so suites stay fast.
 */
import type { AgencyDefinition, BreakerPolicy, ResiliencePolicy, ServiceDefinition } from '../../contracts/src/catalogue.types';
import type { AgencyRequest } from '../../contracts/src/dispatch';
import type { CallContext, ProbeContext } from '../agency-adapter.port';

export interface AgencyFixtureOverrides {
  code?: string;
  name?: string;
  adapter?: Record<string, unknown>;
  resilience?: Partial<Omit<ResiliencePolicy, 'breaker'>> & { breaker?: Partial<BreakerPolicy> };
  services?: ServiceDefinition[];
}

export function restService(code = 'permit-apply', operation: Record<string, unknown> = {}, agencyCode = 'nrb'): ServiceDefinition {
  return {
    code,
    name: `Service ${code}`,
    description: 'A service used in tests',
    agencyCode,
    requestSchemaId: `https://kiungo.test/schemas/${agencyCode}/${code}.request.v1.json`,
    responseSchemaId: `https://kiungo.test/schemas/${agencyCode}/${code}.response.v1.json`,
    operation: { method: 'POST', path: '/api/v1/permits', ...operation },
    fallback: 'store-and-forward',
    manualInstructions: 'Use form P1.',
    bookable: false,
    createsApplication: true,
    feeKes: 0,
    retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
  };
}

export function restAgencyDefinition(overrides: AgencyFixtureOverrides = {}): AgencyDefinition {
  const code = overrides.code ?? 'nrb';
  const resilience = overrides.resilience ?? {};
  return {
    code,
    name: overrides.name ?? `Agency ${code}`,
    adapter: { kind: 'rest', baseUrl: 'http://agency.test', statusPath: '/api/v1/applications/{agencyRef}', healthPath: '/health', ...overrides.adapter },
    resilience: {
      timeoutMs: 1000,
      inlineTimeoutMs: 300,
      concurrency: 4,
      queueLimit: 4,
      rateLimit: { perSecond: 1000, burst: 1000 },
      ...resilience,
      breaker: {
        errorThresholdPercentage: 50,
        volumeThreshold: 3,
        resetTimeoutMs: 200,
        rollingCountTimeoutMs: 10_000,
        ...resilience.breaker,
      },
    },
    retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
    services: overrides.services ?? [restService('permit-apply', {}, code)],
    sourceFile: `/catalogue/${code}/agency.json`,
    folder: `/catalogue/${code}`,
  };
}

let sequence = 0;

export function agencyRequest(overrides: Partial<AgencyRequest> = {}): AgencyRequest {
  sequence++;
  return {
    transactionId: `tx-${process.pid}-${sequence}`,
    serviceCode: 'permit-apply',
    payload: { idNumber: '12345678', fullName: 'Wanjiku Kamau' },
    attempt: 1,
    ...overrides,
  };
}

/**
 * A context that keeps the port's promise as ResilientAgency does: its signal aborts after
 * `timeoutMs` (adapters time nothing themselves). For specs calling an adapter directly: the
 * deadline counts from here and covers a first call's loading too (node-soap), so keep it generous.
 */
export function probeContext(timeoutMs = 5000): ProbeContext {
  return { signal: AbortSignal.timeout(timeoutMs), timeoutMs };
}

/** `probeContext` for a submission of the agency's first service. */
export function callContext(agency: AgencyDefinition, timeoutMs = 5000): CallContext {
  return { ...probeContext(timeoutMs), service: agency.services[0] };
}
