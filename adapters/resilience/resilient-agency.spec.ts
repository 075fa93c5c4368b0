import type { AgencyDefinition } from '../../contracts/src/catalogue.types';
import type { AgencyOutcome, BreakerState } from '../../contracts/src/dispatch';
import { agencyRequest, restAgencyDefinition, type AgencyFixtureOverrides } from '../testing/agency-fixtures';
import { AgencyCallError, NOT_SENT } from '../agency-adapter.port';
import { RestAdapter } from '../rest/rest.adapter';
import { ResilientAgency, type ResilientAgencyOptions } from './resilient-agency';
import { useMockHttp } from '../testing/mock-http';

const BASE = 'http://agency.test';
const PATH = '/api/v1/permits';

async function until(condition: () => boolean, what: string, limitMs = 3000): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited >= limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('ResilientAgency around the REST adapter', () => {
  const http = useMockHttp();
  const agencyWith = (overrides: AgencyFixtureOverrides = {}, options: ResilientAgencyOptions = {}): ResilientAgency => {
    const definition: AgencyDefinition = restAgencyDefinition(overrides);
    return http.opened(new ResilientAgency(definition, new RestAdapter(definition, http.options()), options));
  };
  const dispatch = (agency: ResilientAgency, inline = false): Promise<AgencyOutcome> => agency.dispatch(agencyRequest(), { inline });


  it('passes business outcomes through and records the success', async () => {
    const agency = agencyWith();
    http.on(BASE, 'POST', PATH).reply(201, { reference: 'NRB-1' });
    http.on(BASE, 'POST', PATH).reply(422, { error: { code: 'ID_NOT_FOUND', message: 'No such ID' } });

    await expect(dispatch(agency)).resolves.toMatchObject({ kind: 'accepted', agencyRef: 'NRB-1' });
    await expect(dispatch(agency)).resolves.toEqual({ kind: 'rejected', code: 'ID_NOT_FOUND', reason: 'No such ID' });
    expect(agency.stats()).toMatchObject({ breaker: 'closed', inFlight: 0, queued: 0, lastSuccessAt: expect.any(String) });
    expect(agency.stats().lastFailure).toBeUndefined();
  });

  describe('circuit breaker', () => {
    it('opens after failures and then fails fast without calling the agency', async () => {
      const agency = agencyWith();
      const transitions: BreakerState[] = [];
      agency.onBreakerChange((state) => transitions.push(state));
      http.on(BASE, 'POST', PATH).reply(503).times(3);
      http.on(BASE, 'POST', PATH).reply(201, { reference: 'should-not-be-called' });

      for (let i = 0; i < 3; i++) await expect(dispatch(agency)).resolves.not.toHaveProperty('notSent');
      const outcome = await dispatch(agency);

      expect(outcome).toMatchObject({ kind: 'transient', code: 'breaker_open', notSent: true });
      expect(http.allCalled()).toBe(false);
      expect(transitions).toEqual(['open']);
      expect(agency.stats()).toMatchObject({
        breaker: 'open',
        openedAt: expect.any(String),
        lastFailure: { code: 'unavailable', reason: 'the agency answered HTTP 503' },
      });
    });

    it('tells what a call would get without making one: the refusal of an open breaker, else nothing', async () => {
      const agency = agencyWith();
      http.on(BASE, 'POST', PATH).reply(503).times(3);
      expect(agency.refusing()).toBeNull();

      for (let i = 0; i < 3; i++) await dispatch(agency);

      expect(agency.refusing()).toMatchObject({ kind: 'transient', code: 'breaker_open', retryAfterMs: expect.any(Number), notSent: true });
      expect(http.allCalled()).toBe(true);
    });

    it('counts timeouts as failures', async () => {
      const agency = agencyWith({ resilience: { inlineTimeoutMs: 40 } });
      http.on(BASE, 'POST', PATH).reply(201, { reference: 'late' }).delay(300).times(3);

      for (let i = 0; i < 3; i++) await expect(dispatch(agency, true)).resolves.toMatchObject({ code: 'timeout' });

      expect(agency.breakerState()).toBe('open');
    });

    it('is not tripped by business rejections', async () => {
      const agency = agencyWith();
      http.on(BASE, 'POST', PATH).reply(422, { error: { code: 'APPLICATION_REJECTED', message: 'no' } }).times(10);

      for (let i = 0; i < 10; i++) await expect(dispatch(agency)).resolves.toMatchObject({ kind: 'rejected' });

      expect(agency.breakerState()).toBe('closed');
    });

    it('half-opens after resetTimeout and closes again when the trial call (a real one) succeeds', async () => {
      const agency = agencyWith({ resilience: { breaker: { resetTimeoutMs: 100 } } });
      const transitions: BreakerState[] = [];
      agency.onBreakerChange((state) => transitions.push(state));
      http.on(BASE, 'POST', PATH).reply(500).times(3);
      for (let i = 0; i < 3; i++) await dispatch(agency);
      expect(agency.breakerState()).toBe('open');

      await until(() => agency.breakerState() === 'half_open', 'half-open');
      http.on(BASE, 'POST', PATH).reply(201, { reference: 'NRB-BACK' });
      const outcome = await dispatch(agency);

      expect(outcome).toMatchObject({ kind: 'accepted', agencyRef: 'NRB-BACK' });
      expect(http.allCalled()).toBe(true);
      expect(transitions).toEqual(['open', 'half_open', 'closed']);
      expect(agency.stats().openedAt).toBeUndefined();
    });

    it('opens again when the trial call fails', async () => {
      const agency = agencyWith({ resilience: { breaker: { resetTimeoutMs: 100 } } });
      http.on(BASE, 'POST', PATH).reply(503).times(4);
      for (let i = 0; i < 3; i++) await dispatch(agency);
      await until(() => agency.breakerState() === 'half_open', 'half-open');

      await expect(dispatch(agency)).resolves.toMatchObject({ code: 'unavailable' });

      expect(agency.breakerState()).toBe('open');
    });

    it('admits background calls: all while closed, none while open, one trial while half-open until it is done', async () => {
      const agency = agencyWith({ resilience: { breaker: { resetTimeoutMs: 100 } } });
      http.on(BASE, 'POST', PATH).reply(503).times(3);
      expect(agency.admit().kind).toBe('go');
      expect(agency.admit().kind).toBe('go');
      for (let i = 0; i < 3; i++) await dispatch(agency);

      const open = agency.admit();
      expect(open).toEqual({ kind: 'wait', retryAfterMs: expect.any(Number) });
      expect(open.kind === 'wait' && open.retryAfterMs).toBeLessThanOrEqual(100 + 100);
      expect(agency.waitingForTrial()).toBe(true);

      await until(() => agency.breakerState() === 'half_open', 'half-open');
      expect(agency.waitingForTrial()).toBe(false);
      const trial = agency.admit();
      expect(trial.kind).toBe('go');
      // The trial's place is taken until it is done: the others wait about one reset period.
      expect(agency.admit()).toEqual({ kind: 'wait', retryAfterMs: 200 });
      expect(agency.waitingForTrial()).toBe(true);
      if (trial.kind === 'go') {
        trial.done();
        trial.done(); // once only: a second done() frees nothing more
      }
      const next = agency.admit();
      expect(next.kind).toBe('go');
      expect(agency.admit().kind).toBe('wait');
      if (next.kind === 'go') next.done();
      expect(http.allCalled()).toBe(true);
    });

    it('reports 401 as misconfigured in lastFailure', async () => {
      const agency = agencyWith();
      http.on(BASE, 'POST', PATH).reply(401, { error: 'who are you' });

      await expect(dispatch(agency)).resolves.toMatchObject({ kind: 'transient', code: 'misconfigured' });

      expect(agency.stats().lastFailure).toMatchObject({ code: 'misconfigured', reason: 'the agency refused our credentials (HTTP 401)' });
    });
  });

  describe('timeouts', () => {
    it('uses inlineTimeoutMs inline and timeoutMs in the background', async () => {
      const agency = agencyWith({ resilience: { inlineTimeoutMs: 40, timeoutMs: 2000 } });
      http.on(BASE, 'POST', PATH).reply(201, { reference: 'NRB-SLOW' }).delay(150).times(2);

      await expect(dispatch(agency, true)).resolves.toMatchObject({ kind: 'transient', code: 'timeout', reason: 'no answer within 40 ms' });
      await expect(dispatch(agency, false)).resolves.toMatchObject({ kind: 'accepted', agencyRef: 'NRB-SLOW' });
    });
  });

  describe('bulkhead', () => {
    it('runs `concurrency` calls, queues `queueLimit` more and refuses the rest', async () => {
      const agency = agencyWith({ resilience: { concurrency: 2, queueLimit: 1 } });
      http.on(BASE, 'POST', PATH).reply(201, { reference: 'NRB-1' }).delay(150).times(3);

      const calls = [dispatch(agency), dispatch(agency), dispatch(agency)];
      await until(() => agency.stats().inFlight === 2, 'two calls in flight');
      expect(agency.stats().queued).toBe(1);
      const refused = await dispatch(agency);
      const outcomes = await Promise.all(calls);

      expect(refused).toMatchObject({ kind: 'transient', code: 'bulkhead_full', notSent: true });
      expect(outcomes.map((o) => o.kind)).toEqual(['accepted', 'accepted', 'accepted']);
      expect(agency.stats()).toMatchObject({ inFlight: 0, queued: 0, breaker: 'closed' });
    });
  });

  describe('rate limit', () => {
    it('refuses a call when no token is free within the short wait', async () => {
      const agency = agencyWith({ resilience: { rateLimit: { perSecond: 1, burst: 2 } } }, { rateLimitMaxWaitMs: 20 });
      http.on(BASE, 'POST', PATH).reply(201, { reference: 'NRB-1' }).times(2);

      const outcomes = [await dispatch(agency), await dispatch(agency), await dispatch(agency)];

      expect(outcomes.map((o) => (o.kind === 'transient' ? o.code : o.kind))).toEqual(['accepted', 'accepted', 'rate_limited']);
      // Refused here, before any call: nothing was sent. The agency's own 429 has the same code, but was sent.
      expect(outcomes[2]).toMatchObject({ notSent: true });
      http.on(BASE, 'POST', PATH).reply(429);
      const agencys = await dispatch(agencyWith());
      expect(agencys).toMatchObject({ kind: 'transient', code: 'rate_limited' });
      expect(agencys).not.toHaveProperty('notSent');
    });

    it('lets a call wait briefly for the next token', async () => {
      const agency = agencyWith({ resilience: { rateLimit: { perSecond: 20, burst: 1 } } }, { rateLimitMaxWaitMs: 200 });
      http.on(BASE, 'POST', PATH).reply(201, { reference: 'NRB-1' }).times(2);

      const outcomes = await Promise.all([dispatch(agency), dispatch(agency)]);

      expect(outcomes.map((o) => o.kind)).toEqual(['accepted', 'accepted']);
    });
  });

  describe('never throws', () => {
    it('answers misconfigured for a service the agency does not offer', async () => {
      const agency = agencyWith();

      await expect(agency.dispatch(agencyRequest({ serviceCode: 'no-such-service' }), { inline: true })).resolves.toMatchObject({
        kind: 'transient',
        code: 'misconfigured',
        notSent: true,
      });
    });

    it('answers misconfigured, without calling, when the adapter could not be built', async () => {
      const agency = agencyWith({}, { configProblem: 'environment variable NRB_TOKEN is not set' });
      http.on(BASE, 'POST', PATH).reply(201, { reference: 'NRB-1' });

      await expect(dispatch(agency)).resolves.toEqual({ kind: 'transient', code: 'misconfigured', reason: 'environment variable NRB_TOKEN is not set', notSent: true });
      expect(http.allCalled()).toBe(false);
      expect(agency.stats().lastFailure).toMatchObject({ code: 'misconfigured' });
      await expect(agency.health()).resolves.toMatchObject({ up: false });
    });

    it('passes on notSent for a fault the adapter found before any request left, and only for that', async () => {
      for (const [thrown, expected] of [
        [new AgencyCallError('misconfigured', 'no operation', NOT_SENT), { kind: 'transient', code: 'misconfigured', reason: 'no operation', notSent: true }],
        [new AgencyCallError('misconfigured', 'a fault the agency answered'), { kind: 'transient', code: 'misconfigured', reason: 'a fault the agency answered' }],
      ] as const) {
        const definition: AgencyDefinition = restAgencyDefinition();
        const adapter = new RestAdapter(definition, http.options());
        adapter.submit = () => Promise.reject(thrown);
        const agency = http.opened(new ResilientAgency(definition, adapter));

        await expect(dispatch(agency)).resolves.toEqual(expected);
      }
    });

    it('ends calls in flight on close and refuses new ones', async () => {
      const agency = agencyWith();
      http.on(BASE, 'POST', PATH).reply(201, { reference: 'late' }).delay(500);

      const pending = dispatch(agency);
      await until(() => agency.stats().inFlight === 1, 'a call in flight');
      await agency.close();

      await expect(pending).resolves.toMatchObject({ kind: 'transient', code: 'unavailable', reason: 'agency client closed' });
      await expect(dispatch(agency)).resolves.toMatchObject({ kind: 'transient', code: 'unavailable', notSent: true });
    });
  });

  it('reports health without throwing', async () => {
    const agency = agencyWith();
    http.on(BASE, 'GET', '/health').reply(200, { status: 'up' });
    http.on(BASE, 'GET', '/health').reply(503);

    await expect(agency.health()).resolves.toMatchObject({ up: true });
    await expect(agency.health()).resolves.toMatchObject({ up: false });
  });
});
