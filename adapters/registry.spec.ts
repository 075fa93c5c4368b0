import type { AgencyDefinition } from '../contracts/src/catalogue.types';
import type { BreakerState } from '../contracts/src/dispatch';
import { AdapterKinds, defaultAdapterKinds } from './adapter-kinds';
import type { AgencyAdapter } from './agency-adapter.port';
import { AgencyRegistry, UnknownAgencyError } from './registry';
import { agencyRequest, restAgencyDefinition } from './testing/agency-fixtures';
import { useMockHttp } from './testing/mock-http';

describe('AgencyRegistry', () => {
  const http = useMockHttp();
  const registryOf = (definitions: AgencyDefinition[], options: ConstructorParameters<typeof AgencyRegistry>[1] = {}): AgencyRegistry =>
    http.opened(new AgencyRegistry(definitions, { ...http.options(), ...options }));


  it('dispatches to the agency by code, at the overridden endpoint', async () => {
    const registry = registryOf([restAgencyDefinition({ code: 'nrb' }), restAgencyDefinition({ code: 'kra' })], {
      endpointOverrides: { kra: 'http://127.0.0.1:4102' },
    });
    http.on('http://agency.test', 'POST', '/api/v1/permits').reply(201, { reference: 'NRB-1' });
    http.on('http://127.0.0.1:4102', 'POST', '/api/v1/permits').reply(201, { reference: 'KRA-1' });

    await expect(registry.dispatch('nrb', agencyRequest(), { inline: true })).resolves.toMatchObject({ agencyRef: 'NRB-1' });
    await expect(registry.dispatch('kra', agencyRequest(), { inline: true })).resolves.toMatchObject({ agencyRef: 'KRA-1' });
  });

  it('answers misconfigured for an unknown agency instead of throwing', async () => {
    const registry = registryOf([restAgencyDefinition()]);

    await expect(registry.dispatch('nope', agencyRequest(), { inline: false })).resolves.toEqual({
      kind: 'transient',
      code: 'misconfigured',
      reason: 'unknown agency nope',
      notSent: true,
    });
    expect(() => registry.agency('nope')).toThrow(UnknownAgencyError);
    expect(registry.has('nope')).toBe(false);
    expect(registry.agency('nrb').code).toBe('nrb');
  });

  it('keeps an agency whose adapter cannot be built, listed as misconfigured', async () => {
    const registry = registryOf([
      restAgencyDefinition({ code: 'nrb', adapter: { auth: { type: 'bearer', tokenEnv: 'NRB_TOKEN' } } }),
      restAgencyDefinition({ code: 'ntsa', adapter: { kind: 'ftp', wsdl: 'ntsa.wsdl' } }),
      restAgencyDefinition({ code: 'kra' }),
    ]);

    const list = registry.list();

    expect(list.map((a) => [a.code, a.kind, a.lastFailure?.code])).toEqual([
      ['nrb', 'rest', 'misconfigured'],
      ['ntsa', 'ftp', 'misconfigured'],
      ['kra', 'rest', undefined],
    ]);
    expect(list[0].lastFailure?.reason).toBe('environment variable NRB_TOKEN is not set');
    expect(list[1].lastFailure?.reason).toBe('no adapter is registered for kind "ftp"');
    await expect(registry.dispatch('ntsa', agencyRequest(), { inline: true })).resolves.toMatchObject({ code: 'misconfigured' });
  });

  it('lists every agency with breaker and bulkhead state', () => {
    const registry = registryOf([restAgencyDefinition({ code: 'nrb', name: 'National Registration Bureau' })]);

    expect(registry.list()).toEqual([{ code: 'nrb', name: 'National Registration Bureau', kind: 'rest', breaker: 'closed', inFlight: 0, queued: 0 }]);
  });

  it('reports breaker transitions of any agency', async () => {
    const registry = registryOf([restAgencyDefinition({ code: 'nrb' })]);
    const seen: Array<[string, BreakerState]> = [];
    registry.onBreakerChange((code, state) => seen.push([code, state]));
    http.on('http://agency.test', 'POST', '/api/v1/permits').reply(503).times(3);

    for (let i = 0; i < 3; i++) await registry.dispatch('nrb', agencyRequest(), { inline: true });

    expect(seen).toEqual([['nrb', 'open']]);
    expect(registry.list()[0]).toMatchObject({ breaker: 'open', lastFailure: { code: 'unavailable' } });
  });

  it('builds new adapter kinds through registration, without knowing them', async () => {
    const submitted: string[] = [];
    const agencyModule: AgencyAdapter = {
      kind: 'agency-module',
      submit: async (req) => {
        submitted.push(req.transactionId);
        return { kind: 'pending', handedOverAt: '2026-01-01T00:00:00.000Z' };
      },
      status: async (agencyRef) => ({ kind: 'not_found', agencyRef }),
      health: async () => ({ up: true, latencyMs: 0 }),
      close: async () => undefined,
    };
    const kinds = defaultAdapterKinds().register('agency-module', () => agencyModule);
    const registry = registryOf([restAgencyDefinition({ code: 'lands', adapter: { kind: 'agency-module' } })], { adapterKinds: kinds });

    const outcome = await registry.dispatch('lands', agencyRequest({ transactionId: 'tx-file-1' }), { inline: false });

    expect(outcome).toEqual({ kind: 'pending', handedOverAt: '2026-01-01T00:00:00.000Z' });
    expect(submitted).toEqual(['tx-file-1']);
    expect(kinds.kinds()).toEqual([...defaultAdapterKinds().kinds(), 'agency-module']);
    expect(() => new AdapterKinds().register('x', () => agencyModule).register('x', () => agencyModule)).toThrow(/already registered/);
  });

  it('refuses two agencies with one code', () => {
    expect(() => new AgencyRegistry([restAgencyDefinition(), restAgencyDefinition()], { env: {} })).toThrow(/defined twice/);
  });
});
